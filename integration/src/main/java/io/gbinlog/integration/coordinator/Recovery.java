package io.gbinlog.integration.coordinator;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Settles the branches that dead coordinators left prepared, by the rule of the design (§2, step 5): for
 * each prepared gtrid insert {@code (gtrid, 0, participants)} into commit_log on its primary. If that
 * insert wins, the transaction never got a commit decision and is rolled back everywhere; if it hits the
 * duplicate key, the recorded row decides (cts > 0: commit).
 *
 * <p>Recovery cannot tell a dead coordinator's branch from a live one's: it decides abort for every
 * prepared gtrid without a commit row, including those of coordinators still running. That is safe (a live
 * coordinator then hits the duplicate key and rolls back) but not free, so run it when coordinators are
 * known to be gone (at start-up, after a crash), not on a timer against a busy cluster.
 *
 * <p>On MariaDB a prepared branch stays attached to the session that prepared it until that session
 * ends; only then can another session commit or roll it back ({@code XAER_NOTA} before). Recovery waits
 * up to the given time for such owners to go away and reports the branches it could not settle.
 */
public final class Recovery {

    static final Duration DEFAULT_OWNER_WAIT = Duration.ofSeconds(10);
    private static final int ER_XA_RBROLLBACK = 1402;
    private static final long POLL_MILLIS = 50;

    private final Coordinator coordinator;

    Recovery(Coordinator coordinator) {
        this.coordinator = coordinator;
    }

    /** Runs recovery, waiting up to 10 s for sessions that still own prepared branches to end. */
    public RecoveryReport run() {
        return run(DEFAULT_OWNER_WAIT);
    }

    public RecoveryReport run(Duration ownerWait) {
        long deadline = System.nanoTime() + ownerWait.toNanos();
        List<String> problems = new ArrayList<>();
        List<RecoveryReport.Resolution> resolutions = new ArrayList<>();
        Map<String, Connection> connections = new LinkedHashMap<>();
        try {
            for (String node : coordinator.nodeIds()) {
                try {
                    connections.put(node, coordinator.connect(node));
                } catch (SQLException e) {
                    problems.add("cannot reach " + node + " to list its prepared branches: " + e.getMessage());
                }
            }
            Map<String, List<Branch>> prepared = listPrepared(connections, problems);
            for (Map.Entry<String, List<Branch>> entry : prepared.entrySet()) {
                Gtrid gtrid = Gtrid.parse(entry.getKey()).orElseThrow();
                settle(gtrid, entry.getValue(), connections, deadline, problems).ifPresent(resolutions::add);
            }
        } finally {
            for (Connection connection : connections.values()) {
                try {
                    connection.close();
                } catch (SQLException ignored) {
                    // recovery is over
                }
            }
        }
        return new RecoveryReport(resolutions, problems);
    }

    /** The prepared branches of every node, by gtrid, in gtrid order. */
    private static Map<String, List<Branch>> listPrepared(Map<String, Connection> connections, List<String> problems) {
        Map<String, List<Branch>> prepared = new TreeMap<>();
        for (Map.Entry<String, Connection> entry : connections.entrySet()) {
            String node = entry.getKey();
            try {
                for (Branch branch : xaRecover(entry.getValue(), node)) {
                    if (branch.formatId != 1 || Gtrid.parse(branch.gtrid).isEmpty()) {
                        problems.add("XA transaction gtrid='" + branch.gtrid + "' bqual='" + branch.bqual
                                + "' formatID=" + branch.formatId + " prepared on " + node
                                + " was not written by this coordinator; left alone");
                    } else {
                        prepared.computeIfAbsent(branch.gtrid, g -> new ArrayList<>()).add(branch);
                    }
                }
            } catch (SQLException e) {
                problems.add("XA RECOVER failed on " + node + ": " + e.getMessage());
            }
        }
        return prepared;
    }

    private static List<Branch> xaRecover(Connection connection, String node) throws SQLException {
        List<Branch> branches = new ArrayList<>();
        try (Statement statement = connection.createStatement();
             ResultSet rs = statement.executeQuery("XA RECOVER")) {
            while (rs.next()) {
                int formatId = rs.getInt("formatID");
                int gtridLength = rs.getInt("gtrid_length");
                int bqualLength = rs.getInt("bqual_length");
                byte[] data = rs.getBytes("data");
                String gtrid = new String(data, 0, gtridLength, StandardCharsets.ISO_8859_1);
                String bqual = new String(Arrays.copyOfRange(data, gtridLength, gtridLength + bqualLength),
                        StandardCharsets.ISO_8859_1);
                branches.add(new Branch(node, formatId, gtrid, bqual));
            }
        }
        return branches;
    }

    private Optional<RecoveryReport.Resolution> settle(Gtrid gtrid, List<Branch> branches,
                                                       Map<String, Connection> connections, long deadline,
                                                       List<String> problems) {
        Connection primary = connections.get(gtrid.primary());
        if (primary == null) {
            problems.add(gtrid + ": its primary " + gtrid.primary() + " is unreachable, so its outcome is unknown");
            return Optional.empty();
        }
        long cts;
        try {
            cts = decide(primary, gtrid);
        } catch (SQLException e) {
            problems.add(gtrid + ": cannot read or write its commit_log row on " + gtrid.primary() + ": "
                    + e.getMessage());
            return Optional.empty();
        }
        boolean commit = cts > 0;
        List<String> settled = new ArrayList<>();
        for (Branch branch : branches) {
            String sql = (commit ? "XA COMMIT '" : "XA ROLLBACK '") + branch.gtrid + "','" + branch.bqual + "'";
            String problem = apply(connections.get(branch.node), branch, sql, deadline);
            if (problem == null) {
                settled.add(branch.node);
            } else {
                problems.add(gtrid + " on " + branch.node + ": " + problem);
            }
        }
        return Optional.of(new RecoveryReport.Resolution(gtrid.toString(), commit, cts, settled));
    }

    /** Writes the abort unless a decision exists; returns the deciding cts (0 = abort). */
    private static long decide(Connection primary, Gtrid gtrid) throws SQLException {
        try (PreparedStatement insert = primary.prepareStatement(
                "INSERT INTO __gbinlog.commit_log (gtrid, cts, participants) VALUES (?, 0, ?)")) {
            insert.setString(1, gtrid.toString());
            insert.setString(2, gtrid.participantList());
            insert.executeUpdate();
            return 0;
        } catch (SQLException e) {
            if (e.getErrorCode() != Transaction.ER_DUP_ENTRY) {
                throw e;
            }
        }
        try (PreparedStatement select = primary.prepareStatement(
                "SELECT cts FROM __gbinlog.commit_log WHERE gtrid = ?")) {
            select.setString(1, gtrid.toString());
            try (ResultSet rs = select.executeQuery()) {
                if (!rs.next()) {
                    throw new SQLException("duplicate key but no commit_log row for " + gtrid);
                }
                return rs.getLong(1);
            }
        }
    }

    /** Runs XA COMMIT/ROLLBACK for one branch; null when settled, else why not. */
    private static String apply(Connection connection, Branch branch, String sql, long deadline) {
        while (true) {
            try (Statement statement = connection.createStatement()) {
                statement.execute(sql);
                return null;
            } catch (SQLException e) {
                if (e.getErrorCode() == ER_XA_RBROLLBACK) {
                    // A branch that changed nothing: the server discarded it when its session ended.
                    return null;
                }
                if (e.getErrorCode() != Transaction.ER_XAER_NOTA) {
                    return sql + " failed: " + e.getMessage();
                }
            }
            try {
                if (xaRecover(connection, branch.node).stream().noneMatch(branch::sameXid)) {
                    return null; // settled meanwhile by its own coordinator
                }
            } catch (SQLException e) {
                return "XA RECOVER failed: " + e.getMessage();
            }
            if (System.nanoTime() >= deadline) {
                return "still attached to a live session (XAER_NOTA); end that session and run recovery again";
            }
            try {
                Thread.sleep(POLL_MILLIS); // polling for the owning session to end
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }
    }

    private record Branch(String node, int formatId, String gtrid, String bqual) {
        boolean sameXid(Branch other) {
            return formatId == other.formatId && gtrid.equals(other.gtrid) && bqual.equals(other.bqual);
        }
    }
}
