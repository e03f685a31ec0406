package io.gbinlog.integration.coordinator;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * One transaction of a {@link CoordinatorSession}. Statements go to a named participant; {@link #commit()}
 * runs the protocol of the design (§2):
 * <ol>
 *   <li>{@code XA END}, {@code XA PREPARE} on every participant;</li>
 *   <li>only then {@code cts = TSO_TIMESTAMP()};</li>
 *   <li>{@code INSERT INTO __gbinlog.commit_log VALUES (gtrid, cts, participants)} on the primary, through
 *       another connection; a duplicate key means recovery decided to abort;</li>
 *   <li>{@code XA COMMIT} on every participant.</li>
 * </ol>
 * A single-participant transaction is {@code BEGIN ... COMMIT} and takes no timestamp.
 *
 * <p>After a statement fails the transaction is still open: call {@link #rollback()} (or close it).
 */
public final class Transaction implements AutoCloseable {

    private static final Pattern SQL_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    static final int ER_DUP_ENTRY = 1062;
    static final int ER_XAER_NOTA = 1397;

    private enum State { ACTIVE, PREPARED, COMMITTED, ROLLED_BACK, UNKNOWN }

    private final CoordinatorSession session;
    private final Gtrid gtrid;
    private final List<String> participants;
    /** Participant to branch connection, in participant order (primary first). */
    private final Map<String, Connection> branches = new LinkedHashMap<>();
    private State state = State.ACTIVE;
    private CrashPoint crashPoint;
    private final Map<CrashPoint, Runnable> pauses = new EnumMap<>(CrashPoint.class);
    /** Released once when the transaction ends: lets a waiting DDL in (see {@link Coordinator#ddl}). */
    private Runnable onEnd;

    private Transaction(CoordinatorSession session, Gtrid gtrid, List<String> participants, Runnable onEnd) {
        this.session = session;
        this.gtrid = gtrid;
        this.participants = participants;
        this.onEnd = onEnd;
    }

    /** @param onEnd runs once when the transaction commits, rolls back or is left to recovery */
    static Transaction begin(CoordinatorSession session, Gtrid gtrid, List<String> participants, Runnable onEnd)
            throws SQLException {
        Transaction txn = new Transaction(session, gtrid, participants, onEnd);
        for (String node : participants) {
            Connection connection = null;
            try {
                connection = session.branchConnection(node);
                execute(connection, gtrid == null ? "BEGIN" : "XA START " + gtrid.xid(node));
            } catch (SQLException e) {
                if (connection != null) {
                    session.discard(connection);
                }
                txn.rollback();
                throw new TransactionAbortedException("cannot begin " + txn + " on " + node + ": " + e.getMessage(), e);
            }
            txn.branches.put(node, connection);
        }
        return txn;
    }

    /** The XA gtrid, or null for a single-node transaction. */
    public String gtrid() {
        return gtrid == null ? null : gtrid.toString();
    }

    public List<String> participants() {
        return participants;
    }

    public boolean isDistributed() {
        return gtrid != null;
    }

    boolean isFinished() {
        return state == State.COMMITTED || state == State.ROLLED_BACK || state == State.UNKNOWN;
    }

    /**
     * Runs a DML statement on {@code node}, with {@code /* sql_id=<sqlId> *}{@code /} in front of it
     * when {@code sqlId} is not null, and returns the affected row count.
     */
    public int update(String node, String sqlId, String sql, Object... args) throws SQLException {
        try (PreparedStatement statement = prepare(node, sqlId, sql, args)) {
            return statement.executeUpdate();
        }
    }

    /** Runs a query on {@code node} and returns the first column of its first row, if any. */
    public OptionalLong queryLong(String node, String sqlId, String sql, Object... args) throws SQLException {
        try (PreparedStatement statement = prepare(node, sqlId, sql, args);
             ResultSet rs = statement.executeQuery()) {
            return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
        }
    }

    /**
     * Phase one of a distributed transaction: {@code XA END} and {@code XA PREPARE} on every participant.
     * If any fails, everything is rolled back and {@link TransactionAbortedException} is thrown.
     */
    public void prepare() throws SQLException {
        requireDistributed("prepare");
        requireState(State.ACTIVE, "prepare");
        for (Map.Entry<String, Connection> branch : branches.entrySet()) {
            String xid = gtrid.xid(branch.getKey());
            try {
                execute(branch.getValue(), "XA END " + xid);
                execute(branch.getValue(), "XA PREPARE " + xid);
            } catch (SQLException e) {
                rollback();
                throw new TransactionAbortedException("XA PREPARE of " + this + " failed on " + branch.getKey()
                        + ": " + e.getMessage(), e);
            }
        }
        state = State.PREPARED;
        reached(CrashPoint.AFTER_PREPARE);
    }

    /**
     * Commits: a local transaction with COMMIT, a distributed one by the full protocol (preparing first if
     * {@link #prepare()} was not called).
     *
     * @throws TransactionAbortedException the transaction was rolled back (a prepare failed, the TSO was
     *                                     unreachable, or recovery had decided to abort)
     * @throws OutcomeUnknownException     the outcome is left to {@link Recovery}
     */
    public CommitResult commit() throws SQLException {
        if (gtrid == null) {
            return commitLocal();
        }
        if (state == State.ACTIVE) {
            prepare();
        }
        requireState(State.PREPARED, "commit");
        long cts;
        try {
            cts = session.timestamp();
        } catch (SQLException e) {
            rollback();
            throw new TransactionAbortedException("no commit timestamp for " + this + ": " + e.getMessage(), e);
        }
        decideCommit(cts);
        reached(CrashPoint.AFTER_DECISION);
        List<String> pending = new ArrayList<>();
        for (Map.Entry<String, Connection> branch : branches.entrySet()) {
            try {
                execute(branch.getValue(), "XA COMMIT " + gtrid.xid(branch.getKey()));
            } catch (SQLException e) {
                // The decision stands; disconnecting detaches the branch so recovery can commit it.
                session.discard(branch.getValue());
                pending.add(branch.getKey());
            }
            if (pending.isEmpty() && branch.getKey().equals(gtrid.primary())) {
                reached(CrashPoint.AFTER_FIRST_COMMIT);
            }
        }
        end(State.COMMITTED);
        return new CommitResult(gtrid.toString(), cts, participants, pending);
    }

    /**
     * Rolls back every branch that is still open or prepared. Never throws: a branch that cannot be rolled
     * back has its connection closed, so the node rolls it back (or, if prepared, keeps it for recovery).
     */
    public void rollback() {
        if (isFinished()) {
            return;
        }
        for (Map.Entry<String, Connection> branch : branches.entrySet()) {
            Connection connection = branch.getValue();
            try {
                if (gtrid == null) {
                    execute(connection, "ROLLBACK");
                    continue;
                }
                String xid = gtrid.xid(branch.getKey());
                if (state == State.ACTIVE) {
                    try {
                        execute(connection, "XA END " + xid);
                    } catch (SQLException e) {
                        // already ended, or marked rollback-only by a deadlock: XA ROLLBACK settles both
                    }
                }
                execute(connection, "XA ROLLBACK " + xid);
            } catch (SQLException e) {
                if (e.getErrorCode() != ER_XAER_NOTA) {
                    session.discard(connection);
                }
            }
        }
        end(State.ROLLED_BACK);
    }

    private void end(State finished) {
        state = finished;
        if (onEnd != null) {
            Runnable run = onEnd;
            onEnd = null;
            run.run();
        }
    }

    /** Arms a simulated coordinator crash at {@code point} of the next {@link #prepare()}/{@link #commit()}. */
    public void crashAt(CrashPoint point) {
        requireDistributed("crashAt");
        this.crashPoint = point;
    }

    /**
     * Runs {@code action} when the commit reaches {@code point}, then carries on. Lets a test kill the
     * whole coordinator process at that point, which {@link #crashAt} can only simulate.
     */
    public void pauseAt(CrashPoint point, Runnable action) {
        requireDistributed("pauseAt");
        pauses.put(point, action);
    }

    /** Rolls back unless committed. */
    @Override
    public void close() {
        rollback();
    }

    @Override
    public String toString() {
        return gtrid != null ? "XA transaction " + gtrid : "local transaction on " + participants.get(0);
    }

    private CommitResult commitLocal() throws SQLException {
        requireState(State.ACTIVE, "commit");
        String node = participants.get(0);
        Connection connection = branches.get(node);
        try {
            execute(connection, "COMMIT");
        } catch (SQLException e) {
            if (connection.isValid(1)) {
                rollback();
                throw new TransactionAbortedException("COMMIT of " + this + " failed: " + e.getMessage(), e);
            }
            session.discard(connection);
            end(State.UNKNOWN);
            throw new OutcomeUnknownException(null, "lost the connection to " + node + " during COMMIT", e);
        }
        end(State.COMMITTED);
        return new CommitResult(null, 0, participants, List.of());
    }

    /**
     * Writes the commit decision. A duplicate key means recovery already wrote an abort. When the insert's
     * own outcome is unknown (lost connection) the recovery rule settles it: try to write the abort; if that
     * hits the duplicate key, whichever row is there decides.
     */
    private void decideCommit(long cts) throws SQLException {
        String primary = gtrid.primary();
        try {
            insertDecision(primary, cts);
            return;
        } catch (SQLException e) {
            if (e.getErrorCode() == ER_DUP_ENTRY) {
                rollback();
                throw new TransactionAbortedException("recovery decided to abort " + this
                        + " before its commit_log row was written", e);
            }
        }
        long recorded;
        try {
            insertDecision(primary, 0);
            recorded = 0;
        } catch (SQLException e) {
            try {
                if (e.getErrorCode() != ER_DUP_ENTRY) {
                    throw e;
                }
                recorded = recordedCts(primary);
            } catch (SQLException unreachable) {
                abandonBranches();
                throw new OutcomeUnknownException(gtrid.toString(), "cannot write the commit decision of " + this
                        + " on " + primary + "; recovery will settle it", unreachable);
            }
        }
        if (recorded > 0) {
            return; // the first insert did commit before its connection failed
        }
        rollback();
        throw new TransactionAbortedException("the commit_log write of " + this + " failed, so it was aborted", null);
    }

    /** Inserts the decision row; a connection that failed otherwise than by the duplicate key is dropped. */
    private void insertDecision(String primary, long cts) throws SQLException {
        Connection connection = session.decisionConnection(primary);
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT INTO __gbinlog.commit_log (gtrid, cts, participants) VALUES (?, ?, ?)")) {
            insert.setString(1, gtrid.toString());
            insert.setLong(2, cts);
            insert.setString(3, gtrid.participantList());
            insert.executeUpdate();
        } catch (SQLException e) {
            if (e.getErrorCode() != ER_DUP_ENTRY) {
                session.discard(connection);
            }
            throw e;
        }
    }

    private long recordedCts(String primary) throws SQLException {
        Connection connection = session.decisionConnection(primary);
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT cts FROM __gbinlog.commit_log WHERE gtrid = ?")) {
            select.setString(1, gtrid.toString());
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("commit_log row of " + gtrid + " vanished on " + primary);
                }
                return rs.getLong(1);
            }
        }
    }

    /** Detaches the prepared branches from this session so that recovery can settle them. */
    private void abandonBranches() {
        branches.values().forEach(session::discard);
        end(State.UNKNOWN);
    }

    private void reached(CrashPoint point) throws OutcomeUnknownException {
        Runnable pause = pauses.get(point);
        if (pause != null) {
            pause.run();
        }
        if (crashPoint == point) {
            session.abandonAll();
            end(State.UNKNOWN);
            throw new OutcomeUnknownException(gtrid.toString(), "simulated coordinator crash at " + point
                    + " in " + this, null);
        }
    }

    private PreparedStatement prepare(String node, String sqlId, String sql, Object[] args) throws SQLException {
        requireState(State.ACTIVE, "run a statement in");
        Connection connection = branches.get(node);
        if (connection == null) {
            throw new IllegalArgumentException(node + " is not a participant of " + this + " " + participants);
        }
        PreparedStatement statement = connection.prepareStatement(withSqlId(sqlId, sql));
        for (int i = 0; i < args.length; i++) {
            statement.setObject(i + 1, args[i]);
        }
        return statement;
    }

    /** Prefixes the statement id comment that data nodes log in their annotate/rows-query events. */
    static String withSqlId(String sqlId, String sql) {
        if (sqlId == null) {
            return sql;
        }
        if (!SQL_ID.matcher(sqlId).matches()) {
            throw new IllegalArgumentException("sql_id must be 1-64 of [A-Za-z0-9_.:-], got '" + sqlId + "'");
        }
        return "/* sql_id=" + sqlId + " */ " + sql;
    }

    private void requireDistributed(String action) {
        if (gtrid == null) {
            throw new IllegalStateException("cannot " + action + " " + this + ": it is not distributed");
        }
    }

    private void requireState(State expected, String action) {
        if (state != expected) {
            throw new IllegalStateException("cannot " + action + " " + this + ": it is " + state);
        }
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }
}
