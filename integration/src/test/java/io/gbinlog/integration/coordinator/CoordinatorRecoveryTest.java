package io.gbinlog.integration.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.integration.testing.ChildJvm;
import io.gbinlog.integration.testing.DnBinlog;
import io.gbinlog.integration.testing.DnBinlog.Group;
import io.gbinlog.integration.testing.DnBinlog.XaStatement;
import io.gbinlog.integration.testing.TestTso;
import io.gbinlog.integration.workload.BankWorkload;
import io.gbinlog.integration.workload.TxnRecord;
import io.gbinlog.integration.workload.TxnRecord.Outcome;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A coordinator dies between prepare and commit (its connections dropped without a rollback, as a killed
 * process would); recovery must settle every branch by the commit_log row on the primary.
 */
class CoordinatorRecoveryTest {

    private static final Duration DEADLINE = Duration.ofSeconds(30);

    @Test
    void eachSimulatedCrashIsSettledByTheCommitLogRow() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3); TestTso tso = TestTso.start()) {
            Coordinator coordinator = coordinator(cluster, tso);
            BankWorkload bank = BankWorkload.builder(coordinator).accountsPerNode(10).build();
            bank.setup();
            for (CrashPoint point : CrashPoint.values()) {
                long account = point.ordinal();
                String gtrid;
                try (CoordinatorSession session = coordinator.openSession()) {
                    Transaction t = transfer(session, account);
                    gtrid = t.gtrid();
                    t.crashAt(point);
                    assertThrows(OutcomeUnknownException.class, t::commit);
                }
                checkRecovered(cluster, coordinator, bank, point, gtrid, account);
            }
        }
    }

    @Test
    void killedCoordinatorProcessesAreSettledByTheCommitLogRow() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3); TestTso tso = TestTso.start()) {
            Coordinator coordinator = coordinator(cluster, tso);
            BankWorkload bank = BankWorkload.builder(coordinator).accountsPerNode(10).build();
            bank.setup();
            for (CrashPoint point : CrashPoint.values()) {
                long account = point.ordinal();
                List<String> args = new ArrayList<>(List.of(Integer.toString(tso.port()), point.name(),
                        Long.toString(account)));
                for (DataNode node : cluster.nodes()) {
                    args.add(node.id() + "=" + node.jdbcUrl());
                }
                String gtrid;
                try (ChildJvm child = ChildJvm.start(CoordinatorProcessMain.class, args.toArray(String[]::new))) {
                    gtrid = child.awaitLine("REACHED", 120);
                    child.kill(); // SIGKILL: the kernel closes its sockets, no COM_QUIT, no rollback
                }
                checkRecovered(cluster, coordinator, bank, point, gtrid, account);
            }
        }
    }

    /**
     * Account {@code 3k+1} on dn1 (the primary) pays 10 to account {@code 3k} on dn0 and 20 to account
     * {@code 3k+2} on dn2 (account n lives on dn(n % 3)).
     */
    static Transaction transfer(CoordinatorSession session, long k) throws SQLException {
        Transaction t = session.begin("dn1", "dn0", "dn2");
        t.update("dn1", "crash.debit." + k, "UPDATE bank.account SET balance = balance - 30 WHERE id = ?", 3 * k + 1);
        t.update("dn0", "crash.creditA." + k, "UPDATE bank.account SET balance = balance + 10 WHERE id = ?", 3 * k);
        t.update("dn2", "crash.creditB." + k, "UPDATE bank.account SET balance = balance + 20 WHERE id = ?", 3 * k + 2);
        return t;
    }

    /** Branches survive their coordinator; recovery settles each as the commit_log row on dn1 says. */
    private static void checkRecovered(LocalCluster cluster, Coordinator coordinator, BankWorkload bank,
                                       CrashPoint point, String gtrid, long k) throws SQLException {
        Set<String> stillPrepared = point == CrashPoint.AFTER_FIRST_COMMIT ? Set.of("dn0", "dn2")
                : Set.of("dn0", "dn1", "dn2");
        for (DataNode node : cluster.nodes()) {
            assertEquals(stillPrepared.contains(node.id()), xaRecover(node).contains(gtrid + node.id()),
                    point + ": branch on " + node.id() + " survives its coordinator");
        }

        RecoveryReport report = coordinator.recovery().run(DEADLINE);

        assertTrue(report.isComplete(), () -> point + ": " + report.problems());
        boolean committed = point != CrashPoint.AFTER_PREPARE;
        assertEquals(1, report.resolutions().size(), report::toString);
        RecoveryReport.Resolution resolution = report.resolutions().get(0);
        assertEquals(gtrid, resolution.gtrid());
        assertEquals(committed, resolution.committed(), point + " decides the outcome");
        assertEquals(stillPrepared, Set.copyOf(resolution.branches()));
        for (DataNode node : cluster.nodes()) {
            assertEquals(List.of(), xaRecover(node), point + ": nothing prepared on " + node.id());
        }
        long recorded = commitLogCts(cluster.node("dn1"), gtrid).orElseThrow();
        assertEquals(committed, recorded > 0, point + ": commit_log row " + recorded);
        assertEquals(committed ? 970 : 1000, balance(cluster, 3 * k + 1), point + ": debit");
        assertEquals(committed ? 1010 : 1000, balance(cluster, 3 * k), point + ": credit A");
        assertEquals(committed ? 1020 : 1000, balance(cluster, 3 * k + 2), point + ": credit B");
        assertEquals(bank.expectedTotal(), bank.totalBalance());
        for (DataNode node : cluster.nodes()) {
            Set<String> verbs = completions(DnBinlog.read(node), gtrid);
            assertEquals(Set.of(committed ? "COMMIT" : "ROLLBACK"), verbs, point + " on " + node.id());
        }
    }

    @Test
    void recoveryAbortMakesALiveCoordinatorRollBack() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(2); TestTso tso = TestTso.start()) {
            Coordinator coordinator = coordinator(cluster, tso);
            BankWorkload bank = BankWorkload.builder(coordinator).accountsPerNode(10).build();
            bank.setup();
            try (CoordinatorSession session = coordinator.openSession()) {
                Transaction t = session.begin("dn0", "dn1");
                t.update("dn0", null, "UPDATE bank.account SET balance = balance - 5 WHERE id = 0");
                t.update("dn1", null, "UPDATE bank.account SET balance = balance + 5 WHERE id = 1");
                t.prepare();

                // The branches belong to the live session: recovery decides the abort but cannot roll them back.
                RecoveryReport report = coordinator.recovery().run(Duration.ofMillis(300));
                assertEquals(1, report.resolutions().size());
                assertFalse(report.resolutions().get(0).committed());
                assertEquals(List.of(), report.resolutions().get(0).branches());
                assertEquals(2, report.problems().size(), report.problems()::toString);
                assertTrue(report.problems().get(0).contains("live session"), report.problems()::toString);

                TransactionAbortedException aborted = assertThrows(TransactionAbortedException.class, t::commit);
                assertTrue(aborted.getMessage().contains("recovery decided to abort"), aborted::getMessage);
                assertEquals(0, commitLogCts(cluster.node("dn0"), t.gtrid()).orElseThrow());
            }
            for (DataNode node : cluster.nodes()) {
                assertEquals(List.of(), xaRecover(node));
            }
            assertEquals(1000, balance(cluster, 0));
            assertEquals(1000, balance(cluster, 1));
        }
    }

    @Test
    void workloadWithCrashingCoordinatorsRecoversToAConsistentBank() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3); TestTso tso = TestTso.start()) {
            Coordinator coordinator = coordinator(cluster, tso);
            BankWorkload bank = BankWorkload.builder(coordinator).threads(8).accountsPerNode(1000).crashRate(0.1)
                    .build();
            System.out.println("workloadWithCrashingCoordinators seed=" + bank.seed());
            bank.setup();
            bank.start(500);
            assertTrue(bank.awaitTermination(Duration.ofMinutes(5)));
            System.out.println("workloadWithCrashingCoordinators: " + bank.progress());
            List<TxnRecord> lost = bank.history().stream().filter(r -> r.outcome() == Outcome.UNKNOWN).toList();
            assertTrue(lost.size() > 10, "crashes happened: " + lost.size());

            RecoveryReport report = coordinator.recovery().run(DEADLINE);

            assertTrue(report.isComplete(), report.problems()::toString);
            for (DataNode node : cluster.nodes()) {
                assertEquals(List.of(), xaRecover(node), "nothing prepared on " + node.id());
            }
            assertEquals(bank.expectedTotal(), bank.totalBalance(), "money is neither created nor lost");
            Map<String, DnBinlog> binlogs = new TreeMap<>();
            for (DataNode node : cluster.nodes()) {
                binlogs.put(node.id(), DnBinlog.read(node));
            }
            Set<String> resolved = report.resolutions().stream().map(RecoveryReport.Resolution::gtrid)
                    .collect(Collectors.toSet());
            int committed = 0;
            for (TxnRecord r : lost) {
                assertTrue(resolved.contains(r.gtrid()), () -> "recovery settled " + r);
                long cts = commitLogCts(cluster.node(r.participants().get(0)), r.gtrid()).orElseThrow();
                String expected = cts > 0 ? "COMMIT" : "ROLLBACK";
                committed += cts > 0 ? 1 : 0;
                for (String node : r.participants()) {
                    assertEquals(Set.of(expected), completions(binlogs.get(node), r.gtrid()),
                            () -> r + " on " + node + " follows its commit_log row " + cts);
                }
            }
            assertTrue(committed > 0 && committed < lost.size(), "crashes both before and after the decision: "
                    + committed + " of " + lost.size() + " committed");
        }
    }

    private static Coordinator coordinator(LocalCluster cluster, TestTso tso) {
        return Coordinator.builder().nodes(cluster.nodes()).tso(tso.clients()).lockWaitTimeoutSeconds(1).build();
    }

    /** "gtrid" + "bqual" of every branch prepared on the node. */
    private static List<String> xaRecover(DataNode node) throws SQLException {
        List<String> xids = new ArrayList<>();
        try (Connection c = node.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("XA RECOVER")) {
            while (rs.next()) {
                xids.add(rs.getString("data"));
            }
        }
        return xids;
    }

    private static Optional<Long> commitLogCts(DataNode node, String gtrid) throws SQLException {
        try (Connection c = node.connect();
             PreparedStatement s = c.prepareStatement("SELECT cts FROM __gbinlog.commit_log WHERE gtrid = ?")) {
            s.setString(1, gtrid);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
            }
        }
    }

    private static long balance(LocalCluster cluster, long account) throws SQLException {
        try (Connection c = cluster.node((int) (account % cluster.nodes().size())).connect();
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT balance FROM bank.account WHERE id = " + account)) {
            assertTrue(rs.next(), "account " + account + " exists");
            return rs.getLong(1);
        }
    }

    /** The XA completions (COMMIT / ROLLBACK) of a gtrid in a node's binlog. */
    private static Set<String> completions(DnBinlog binlog, String gtrid) {
        Set<String> verbs = new HashSet<>();
        for (Group group : binlog.groups()) {
            XaStatement xa = group.xaStatement();
            if (group.isXaCompletion() && xa != null && xa.gtrid().equals(gtrid)) {
                verbs.add(xa.verb());
            }
        }
        return verbs;
    }
}
