package io.gbinlog.integration.workload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.integration.coordinator.Coordinator;
import io.gbinlog.integration.testing.Await;
import io.gbinlog.integration.testing.DnBinlog;
import io.gbinlog.integration.testing.DnBinlog.Group;
import io.gbinlog.integration.testing.DnBinlog.XaStatement;
import io.gbinlog.integration.testing.TestTso;
import io.gbinlog.integration.workload.TxnRecord.Kind;
import io.gbinlog.integration.workload.TxnRecord.Outcome;
import io.gbinlog.meta.tso.TsoAllocator;
import java.io.Serializable;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Runs the bank through the reference coordinator on three real data nodes, then reads every node's
 * binlog files and checks that the protocol of the design left the trail the merger relies on.
 */
class BankWorkloadBinlogTest {

    private static final int TRANSACTIONS = 1200;

    @Test
    void concurrentTransactionsLeaveTheProtocolTrailInEveryBinlog() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3); TestTso tso = TestTso.start()) {
            Coordinator coordinator = Coordinator.builder().nodes(cluster.nodes()).tso(tso.clients())
                    .lockWaitTimeoutSeconds(1).build();
            BankWorkload bank = BankWorkload.builder(coordinator).threads(8).accountsPerNode(500).build();
            System.out.println("BankWorkloadBinlogTest seed=" + bank.seed() + " (rerun with -Dgbinlog.seed=" + bank.seed() + ")");
            bank.setup();
            bank.start(TRANSACTIONS);
            assertTrue(bank.awaitTermination(Duration.ofMinutes(5)), "workload finished");
            Progress progress = bank.progress();
            System.out.println("BankWorkloadBinlogTest: " + progress);
            List<TxnRecord> history = bank.history();

            assertEquals(TRANSACTIONS, history.size());
            assertEquals(TRANSACTIONS, progress.finished());
            assertEquals(0, progress.unknown(), () -> unexpected(history));
            assertEquals(bank.expectedTotal(), bank.totalBalance(), "money is neither created nor lost");
            for (TxnRecord r : history) {
                if (r.error() != null && r.error().startsWith("unexpected")) {
                    fail("transaction failed unexpectedly: " + r);
                }
            }
            assertTrue(count(history, Kind.DISTRIBUTED_TRANSFER, Outcome.COMMITTED) > TRANSACTIONS / 4,
                    () -> summary(history));
            for (Kind kind : List.of(Kind.LOCAL_TRANSFER, Kind.LOCAL_UPDATE, Kind.OPEN_ACCOUNT, Kind.CLOSE_ACCOUNT)) {
                assertTrue(count(history, kind, Outcome.COMMITTED) > 0, () -> kind + " committed: " + summary(history));
            }
            assertTrue(count(history, Kind.ROLLBACK_BEFORE_PREPARE, Outcome.ROLLED_BACK) > 0, () -> summary(history));
            assertTrue(count(history, Kind.ROLLBACK_AFTER_PREPARE, Outcome.ROLLED_BACK) > 0, () -> summary(history));
            assertTrue(history.stream().anyMatch(r -> r.isDistributed() && r.participants().size() == 3
                    && r.outcome() == Outcome.COMMITTED), "some transaction spans all nodes");
            for (DataNode node : cluster.nodes()) {
                assertEquals(List.of(), xaRecover(node), "no branch left prepared on " + node.id());
            }

            Map<String, Trail> trails = new TreeMap<>();
            for (DataNode node : cluster.nodes()) {
                trails.put(node.id(), Trail.of(DnBinlog.read(node)));
            }
            checkCommitted(history, trails);
            checkNotCommitted(history, trails);
            checkNothingElseCommitted(history, trails);
            checkPreparesPrecedeLaterCommits(history, trails);
            checkSqlIds(history, trails);
        }
    }

    @Test
    void hotAccountsAbortOnLockConflictsInsteadOfHanging() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3); TestTso tso = TestTso.start()) {
            Coordinator coordinator = Coordinator.builder().nodes(cluster.nodes()).tso(tso.clients())
                    .lockWaitTimeoutSeconds(1).build();
            BankWorkload bank = BankWorkload.builder(coordinator).threads(8).accountsPerNode(3).build();
            System.out.println("hotAccounts seed=" + bank.seed());
            bank.setup();
            // Hold every account of dn0 from outside the workload, so that conflicts are certain, not luck.
            try (Connection blocker = cluster.nodes().get(0).connect(); Statement s = blocker.createStatement()) {
                s.execute("BEGIN");
                s.executeQuery("SELECT id FROM bank.account FOR UPDATE").close();
                bank.start(300);
                Await.until("a lock conflict", Duration.ofMinutes(1), () -> bank.progress().conflicts() > 0);
                s.execute("COMMIT");
            }
            assertTrue(bank.awaitTermination(Duration.ofMinutes(3)), "workload finished");
            Progress progress = bank.progress();
            System.out.println("hotAccounts: " + progress);
            assertEquals(300, progress.finished());
            assertTrue(progress.conflicts() > 0, "lock conflicts happened");
            for (TxnRecord r : bank.history()) {
                if (r.outcome() == Outcome.ABORTED) {
                    assertTrue(r.error().startsWith("conflict: ") || r.error().contains("does not exist")
                            || r.error().contains("itself"), () -> "expected abort reason: " + r);
                }
            }
            assertTrue(progress.committed() > 0);
            assertEquals(bank.expectedTotal(), bank.totalBalance());
            for (DataNode node : cluster.nodes()) {
                assertEquals(List.of(), xaRecover(node), "no branch left prepared on " + node.id());
            }
        }
    }

    /** Every committed distributed branch: prepared, decided on its primary, then committed. */
    private static void checkCommitted(List<TxnRecord> history, Map<String, Trail> trails) {
        for (TxnRecord r : history) {
            if (r.outcome() != Outcome.COMMITTED || !r.isDistributed()) {
                continue;
            }
            String primary = r.participants().get(0);
            Trail primaryTrail = trails.get(primary);
            Group decision = primaryTrail.decisions.get(r.gtrid());
            assertNotNull(decision, () -> "commit_log row of " + r + " in " + primary + "'s binlog");
            Serializable[] row = decision.insertedRows("__gbinlog", "commit_log").stream()
                    .filter(x -> DnBinlog.text(x[0]).equals(r.gtrid())).findFirst().orElseThrow();
            assertEquals(r.cts(), ((Number) row[1]).longValue(), () -> "recorded cts of " + r);
            assertEquals(String.join(",", r.participants()), DnBinlog.text(row[2]), () -> "participants of " + r);
            long ctsSecond = TsoAllocator.millisOf(r.cts()) / 1000;
            for (String node : r.participants()) {
                Trail trail = trails.get(node);
                Group prepare = trail.prepares.get(r.gtrid());
                Group commit = trail.commits.get(r.gtrid());
                assertNotNull(prepare, () -> "XA PREPARE of " + r + " on " + node);
                assertNotNull(commit, () -> "XA COMMIT of " + r + " on " + node);
                assertEquals(node, prepare.xaPrepareLog().bqual(), "bqual is the node id");
                assertTrue(prepare.ordinal() < commit.ordinal(), () -> "prepare before commit of " + r + " on " + node);
                assertFalse(trail.rollbacks.containsKey(r.gtrid()), () -> "no XA ROLLBACK of " + r + " on " + node);
                // cts is taken after every prepare and before any commit (binlog clocks have 1 s resolution).
                assertTrue(prepare.timestampSeconds() <= ctsSecond, () -> "prepare not after cts of " + r);
                assertTrue(commit.timestampSeconds() >= ctsSecond, () -> "commit not before cts of " + r);
            }
            Group primaryCommit = primaryTrail.commits.get(r.gtrid());
            assertTrue(decision.ordinal() < primaryCommit.ordinal(),
                    () -> "commit_log row before the XA COMMIT on the primary for " + r);
            for (String node : trails.keySet()) {
                if (!node.equals(primary)) {
                    assertFalse(trails.get(node).decisions.containsKey(r.gtrid()), "commit_log row only on the primary");
                }
            }
        }
    }

    /** Rolled back or aborted: never committed, never a commit decision. */
    private static void checkNotCommitted(List<TxnRecord> history, Map<String, Trail> trails) {
        for (TxnRecord r : history) {
            if (r.outcome() == Outcome.COMMITTED || !r.isDistributed()) {
                continue;
            }
            for (Map.Entry<String, Trail> entry : trails.entrySet()) {
                Trail trail = entry.getValue();
                assertFalse(trail.commits.containsKey(r.gtrid()), () -> "no XA COMMIT of " + r + " on " + entry.getKey());
                Group decision = trail.decisions.get(r.gtrid());
                assertNull(decision, () -> "no commit_log row for " + r + " on " + entry.getKey());
                if (r.kind() == Kind.ROLLBACK_AFTER_PREPARE && r.outcome() == Outcome.ROLLED_BACK
                        && r.participants().contains(entry.getKey())) {
                    Group prepare = trail.prepares.get(r.gtrid());
                    Group rollback = trail.rollbacks.get(r.gtrid());
                    assertNotNull(prepare, () -> "XA PREPARE of " + r + " on " + entry.getKey());
                    assertNotNull(rollback, () -> "XA ROLLBACK of " + r + " on " + entry.getKey());
                    assertTrue(prepare.ordinal() < rollback.ordinal());
                }
                if (r.kind() == Kind.ROLLBACK_BEFORE_PREPARE) {
                    assertFalse(trail.prepares.containsKey(r.gtrid()), () -> "nothing logged for " + r);
                }
            }
        }
    }

    /** The binlogs hold no commit and no commit decision the coordinator did not report. */
    private static void checkNothingElseCommitted(List<TxnRecord> history, Map<String, Trail> trails) {
        Set<String> committed = history.stream().filter(r -> r.outcome() == Outcome.COMMITTED && r.isDistributed())
                .map(TxnRecord::gtrid).collect(Collectors.toSet());
        for (Map.Entry<String, Trail> entry : trails.entrySet()) {
            for (String gtrid : entry.getValue().commits.keySet()) {
                assertTrue(committed.contains(gtrid), () -> "XA COMMIT of unreported " + gtrid + " on " + entry.getKey());
            }
            for (String gtrid : entry.getValue().decisions.keySet()) {
                assertTrue(committed.contains(gtrid), () -> "commit_log row of unreported " + gtrid + " on " + entry.getKey());
            }
        }
    }

    /**
     * F2 of the design: when T commits on a node with cts c, every distributed T' with a smaller cts that
     * touches that node has its prepare earlier in that node's binlog.
     */
    private static void checkPreparesPrecedeLaterCommits(List<TxnRecord> history, Map<String, Trail> trails) {
        Map<String, Long> cts = new HashMap<>();
        for (TxnRecord r : history) {
            if (r.outcome() == Outcome.COMMITTED && r.isDistributed()) {
                cts.put(r.gtrid(), r.cts());
            }
        }
        for (Map.Entry<String, Trail> entry : trails.entrySet()) {
            Trail trail = entry.getValue();
            // commits by cts descending; the earliest commit position among those with a larger cts
            List<String> byCts = new ArrayList<>(trail.commits.keySet());
            byCts.sort((a, b) -> Long.compare(cts.get(b), cts.get(a)));
            int earliestLaterCommit = Integer.MAX_VALUE;
            for (String gtrid : byCts) {
                int prepare = trail.prepares.get(gtrid).ordinal();
                int limit = earliestLaterCommit;
                assertTrue(prepare < limit, () -> "prepare of " + gtrid + " on " + entry.getKey()
                        + " comes after the commit of a transaction with a larger cts");
                earliestLaterCommit = Math.min(earliestLaterCommit, trail.commits.get(gtrid).ordinal());
            }
        }
    }

    /** Each statement's sql_id is in an annotate event of one of its participants; rolled-back ones nowhere. */
    private static void checkSqlIds(List<TxnRecord> history, Map<String, Trail> trails) {
        Map<String, Set<String>> sqlIdsByNode = new HashMap<>();
        Map<String, Set<String>> localSqlIdsByNode = new HashMap<>();
        for (Map.Entry<String, Trail> entry : trails.entrySet()) {
            Set<String> all = new HashSet<>();
            Set<String> local = new HashSet<>();
            for (Group group : entry.getValue().binlog.groups()) {
                all.addAll(group.sqlIds());
                if (!group.isXaPrepare() && !group.isXaCompletion()) {
                    local.addAll(group.sqlIds());
                }
                assertTrue(group.annotations().size() == 0 || group.hasEventType(DnBinlog.ANNOTATE_ROWS));
            }
            sqlIdsByNode.put(entry.getKey(), all);
            localSqlIdsByNode.put(entry.getKey(), local);
        }
        int checked = 0;
        for (TxnRecord r : history) {
            if (r.outcome() == Outcome.COMMITTED) {
                Map<String, Set<String>> where = r.isDistributed() ? sqlIdsByNode : localSqlIdsByNode;
                for (String sqlId : r.sqlIds()) {
                    assertTrue(r.participants().stream().anyMatch(n -> where.get(n).contains(sqlId)),
                            () -> "sql_id " + sqlId + " of " + r + " in an annotate event");
                    checked++;
                }
            } else if (r.kind() == Kind.ROLLBACK_BEFORE_PREPARE || !r.isDistributed()) {
                for (String sqlId : r.sqlIds()) {
                    assertTrue(sqlIdsByNode.values().stream().noneMatch(ids -> ids.contains(sqlId)),
                            () -> "rolled-back statement " + sqlId + " of " + r + " is not in any binlog");
                }
            }
        }
        assertTrue(checked > TRANSACTIONS, "sql_ids checked: " + checked);
    }

    /** What one node's binlog says about each gtrid. */
    private record Trail(DnBinlog binlog, Map<String, Group> prepares, Map<String, Group> commits,
                         Map<String, Group> rollbacks, Map<String, Group> decisions) {

        static Trail of(DnBinlog binlog) {
            Trail trail = new Trail(binlog, new HashMap<>(), new HashMap<>(), new HashMap<>(), new HashMap<>());
            for (Group group : binlog.groups()) {
                XaStatement xa = group.xaStatement();
                if (group.isXaPrepare()) {
                    XaStatement prepared = group.xaPrepareLog();
                    assertNotNull(prepared, () -> "an XA prepare group ends with XA_PREPARE_LOG (38) on " + binlog.node() + group.entries().stream().map(e -> e.type() + ":" + (e.data() == null ? "null" : e.data().getClass().getSimpleName())).toList());
                    assertEquals("END", xa.verb());
                    assertEquals(xa.gtrid(), prepared.gtrid());
                    assertNull(trail.prepares.put(prepared.gtrid(), group), "one prepare per gtrid and node");
                } else if (group.isXaCompletion()) {
                    assertNotNull(xa, "an XA completion group holds XA COMMIT or XA ROLLBACK");
                    Map<String, Group> target = xa.verb().equals("COMMIT") ? trail.commits : trail.rollbacks;
                    assertNull(target.put(xa.gtrid(), group), "one completion per gtrid and node");
                }
                for (Serializable[] row : group.insertedRows("__gbinlog", "commit_log")) {
                    long cts = ((Number) row[1]).longValue();
                    assertTrue(cts > 0, "the coordinator never writes an abort row without a crash");
                    assertNull(trail.decisions.put(DnBinlog.text(row[0]), group), "one decision per gtrid");
                }
            }
            return trail;
        }
    }

    private static List<String> xaRecover(DataNode node) throws SQLException {
        List<String> xids = new ArrayList<>();
        try (Connection c = node.connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery("XA RECOVER")) {
            while (rs.next()) {
                xids.add(rs.getString("data"));
            }
        }
        return xids;
    }

    private static long count(List<TxnRecord> history, Kind kind, Outcome outcome) {
        return history.stream().filter(r -> r.kind() == kind && r.outcome() == outcome).count();
    }

    private static String summary(List<TxnRecord> history) {
        return history.stream().collect(Collectors.groupingBy(r -> r.kind() + "/" + r.outcome(), TreeMap::new,
                Collectors.counting())).toString();
    }

    private static String unexpected(List<TxnRecord> history) {
        return history.stream().filter(r -> r.outcome() == Outcome.UNKNOWN).limit(5).toList().toString();
    }
}
