package io.gbinlog.integration.coordinator;

import io.gbinlog.meta.tso.TsoClient;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One coordinator worker: a branch connection per data node for the transactions' statements, a
 * separate decision connection per primary (on MariaDB the session that prepared a branch can run
 * nothing else), and a TSO client. Connections open on first use and are replaced after a failure.
 * Not thread-safe.
 */
public final class CoordinatorSession implements AutoCloseable {

    private final Coordinator coordinator;
    private final Map<String, Connection> branchConnections = new HashMap<>();
    private final Map<String, Connection> decisionConnections = new HashMap<>();
    private TsoClient tso;
    private Transaction current;

    CoordinatorSession(Coordinator coordinator) {
        this.coordinator = coordinator;
    }

    /**
     * Starts a transaction over {@code participants}, the first being the primary. One participant: a
     * plain local transaction; several: a distributed (XA) transaction. Waits while a {@link Coordinator#ddl DDL}
     * of this coordinator runs.
     */
    public Transaction begin(List<String> participants) throws SQLException {
        requireCanBegin(participants);
        DdlBarrier barrier = coordinator.barrier();
        barrier.enterTransaction();
        return start(participants, barrier::leaveTransaction);
    }

    /** The ddl_log transaction of a DDL: it runs while the DDL holds the barrier, so it does not enter it. */
    Transaction beginInsideDdl(List<String> participants) throws SQLException {
        requireCanBegin(participants);
        return start(participants, null);
    }

    private void requireCanBegin(List<String> participants) {
        if (current != null && !current.isFinished()) {
            throw new IllegalStateException("transaction " + current + " of this session is still open");
        }
        if (participants.isEmpty()) {
            throw new IllegalArgumentException("a transaction needs at least one participant");
        }
        for (String node : participants) {
            coordinator.requireNode(node);
        }
    }

    /** A transaction that failed to begin has rolled back, which runs {@code onEnd}. */
    private Transaction start(List<String> participants, Runnable onEnd) throws SQLException {
        Gtrid gtrid = participants.size() > 1 ? coordinator.nextGtrid(participants) : null;
        current = Transaction.begin(this, gtrid, List.copyOf(participants), onEnd);
        return current;
    }

    public Transaction begin(String... participants) throws SQLException {
        return begin(List.of(participants));
    }

    public Coordinator coordinator() {
        return coordinator;
    }

    Connection branchConnection(String node) throws SQLException {
        return open(branchConnections, node);
    }

    Connection decisionConnection(String node) throws SQLException {
        return open(decisionConnections, node);
    }

    long timestamp() throws SQLException {
        if (tso == null) {
            tso = coordinator.newTsoClient();
        }
        return tso.next();
    }

    /** Closes a connection whose state is doubtful; the node rolls back its open work or detaches a prepared branch. */
    void discard(Connection connection) {
        branchConnections.values().remove(connection);
        decisionConnections.values().remove(connection);
        try {
            connection.close();
        } catch (SQLException ignored) {
            // closing is all we wanted
        }
    }

    /**
     * Drops every connection without rolling anything back, as a killed coordinator would: each node
     * sees its client gone and keeps the prepared branches for recovery.
     */
    void abandonAll() {
        List<Connection> all = new ArrayList<>(branchConnections.values());
        all.addAll(decisionConnections.values());
        branchConnections.clear();
        decisionConnections.clear();
        for (Connection connection : all) {
            try {
                connection.abort(Runnable::run);
            } catch (SQLException ignored) {
                // already gone
            }
        }
        if (tso != null) {
            tso.close();
            tso = null;
        }
    }

    private Connection open(Map<String, Connection> pool, String node) throws SQLException {
        Connection connection = pool.get(node);
        if (connection == null || connection.isClosed()) {
            connection = coordinator.connect(node);
            pool.put(node, connection);
        }
        return connection;
    }

    /** Rolls back an open transaction, then closes every connection. */
    @Override
    public void close() {
        if (current != null && !current.isFinished()) {
            current.rollback();
        }
        List<Connection> all = new ArrayList<>(branchConnections.values());
        all.addAll(decisionConnections.values());
        all.forEach(this::discard);
        if (tso != null) {
            tso.close();
            tso = null;
        }
    }
}
