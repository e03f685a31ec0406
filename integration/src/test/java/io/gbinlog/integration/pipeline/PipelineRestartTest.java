package io.gbinlog.integration.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.collector.ordering.ProtocolViolationException;
import io.gbinlog.meta.tso.JdbcTsoClient;
import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.integration.coordinator.Coordinator;
import io.gbinlog.integration.pipeline.GlobalBinlogContent.Tx;
import io.gbinlog.integration.testing.TestTso;
import io.gbinlog.integration.workload.BankWorkload;
import io.gbinlog.integration.workload.TxnRecord;
import io.gbinlog.merger.pipeline.Pipeline;
import io.gbinlog.merger.pipeline.PipelineSettings;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Starts and restarts around distributed transactions that stay prepared, and a coordinator that breaks the
 * protocol: a long-prepared branch holds the global binlog back and is reported, never skipped; a first start
 * whose cut it holds open resumes from the engine's first-start checkpoint after a restart; a commit whose branches do not match its commit_log row
 * stops the pipeline with the gtrid, and nothing of it is written.
 */
class PipelineRestartTest {

    @TempDir
    Path tmp;

    @Test
    void aCutHeldOpenByAPreparedBranchIsResumedAfterARestart() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(4); TestTso tso = TestTso.start();
             JdbcTsoClient clock = new JdbcTsoClient(TestTso.HOST, tso.port(), TestTso.USER, TestTso.PASSWORD)) {
            List<DataNode> nodes = cluster.nodes().subList(0, 3);
            DataNode replica = cluster.node(3);
            Coordinator coordinator = Coordinator.builder().nodes(nodes).tso(tso.clients()).lockWaitTimeoutSeconds(1)
                    .build();
            BankWorkload bank = BankWorkload.builder(coordinator).threads(3).accountsPerNode(200).build();
            System.out.println("PipelineRestartTest seed=" + bank.seed() + " (rerun with -Dgbinlog.seed=" + bank.seed()
                    + ")");
            bank.setup();
            PipelineSettings settings = PipelineTesting.settings(nodes, tmp.resolve("storage"), tso);

            // Moves 10 from account 0 (dn0) to account 1 (dn1), prepared on both before gbinlog first starts.
            try (Connection c0 = nodes.get(0).connect(); Connection c1 = nodes.get(1).connect();
                 Connection decision = nodes.get(0).connect()) {
                prepare(c0, "held", "dn0", "/* sql_id=held.1 */ UPDATE bank.account SET balance = balance - 10 WHERE id = 0");
                prepare(c1, "held", "dn1", "/* sql_id=held.2 */ UPDATE bank.account SET balance = balance + 10 WHERE id = 1");
                // Read again from before it (the held branch's prepare), yet before the cut: not written.
                try (Connection c = nodes.get(0).connect()) {
                    sql(c, "UPDATE bank.account SET note = 'before the cut' WHERE id = 3");
                }
                Map<Long, Long> initial = BankChecks.balances(nodes);
                Replay.copyTable(nodes, replica, "bank", "account", tmp);

                try (Pipeline first = Pipeline.start(settings)) {
                    bank.start(300);
                    assertTrue(bank.awaitTermination(Duration.ofMinutes(2)));
                    awaitHoldup(first, "prepared 'held'");
                    assertEquals(0, first.stats().transactions(), "nothing passes a cut that a prepared branch holds open");
                    assertEquals(0, first.lastCheckpoint().binlog().lastGno(), "the checkpoint covers nothing yet");
                }
                long cts;
                try (Pipeline second = Pipeline.start(settings)) {
                    awaitHoldup(second, "prepared 'held'");
                    cts = clock.next();
                    try (Statement s = decision.createStatement()) {
                        s.execute("INSERT INTO __gbinlog.commit_log VALUES ('held', " + cts + ", 'dn0,dn1')");
                    }
                    sql(c0, "XA COMMIT 'held','dn0'");
                    sql(c1, "XA COMMIT 'held','dn1'");
                    assertTrue(second.awaitDurable(clock.next(), Duration.ofSeconds(60)));
                    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                    while (!second.stats().holdups().isEmpty()) {
                        assertTrue(System.nanoTime() < deadline, () -> "still held: " + second.stats().holdups());
                        Thread.sleep(20);
                    }
                }
                List<TxnRecord> history = new ArrayList<>(bank.history());
                history.add(new TxnRecord(-1, TxnRecord.Kind.DISTRIBUTED_TRANSFER, TxnRecord.Outcome.COMMITTED, "held",
                        cts, List.of("dn0", "dn1"), List.of("held.1", "held.2"), null));
                Path binlogDir = tmp.resolve("storage").resolve("binlog");
                List<Tx> txs = GlobalBinlogContent.read(binlogDir);
                BankChecks.check(txs, history, initial, bank.expectedTotal());
                Replay.apply(GlobalBinlogContent.files(binlogDir), replica, tmp);
                assertEquals(BankChecks.rows(nodes), BankChecks.rows(List.of(replica)));
            }
        }
    }

    @Test
    void aCommitWhoseBranchesDoNotMatchItsCommitLogRowStopsThePipeline() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3); TestTso tso = TestTso.start();
             JdbcTsoClient clock = new JdbcTsoClient(TestTso.HOST, tso.port(), TestTso.USER, TestTso.PASSWORD)) {
            List<DataNode> nodes = cluster.nodes();
            for (DataNode dn : nodes) {
                try (Connection c = dn.connect()) {
                    sql(c, "CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY)");
                }
            }
            Path storage = tmp.resolve("storage");
            try (Pipeline pipeline = Pipeline.start(PipelineTesting.settings(nodes, storage, tso));
                 Connection c0 = nodes.get(0).connect(); Connection c1 = nodes.get(1).connect();
                 Connection decision = nodes.get(0).connect()) {
                sql(c0, "INSERT INTO app.t VALUES (1)");
                assertTrue(pipeline.awaitDurable(clock.next(), Duration.ofSeconds(30)));
                prepare(c0, "liar", "dn0", "INSERT INTO app.t VALUES (2)");
                prepare(c1, "liar", "dn1", "INSERT INTO app.t VALUES (2)");
                try (Statement s = decision.createStatement()) {
                    // dn1 commits a branch the row does not list (a participant without a branch is allowed:
                    // MariaDB logs nothing for an empty one).
                    s.execute("INSERT INTO __gbinlog.commit_log VALUES ('liar', " + clock.next() + ", 'dn0')");
                }
                sql(c0, "XA COMMIT 'liar','dn0'");
                sql(c1, "XA COMMIT 'liar','dn1'");
                assertTrue(pipeline.awaitFailure(Duration.ofSeconds(30)), "the pipeline stops");
                Throwable failure = pipeline.failure();
                assertTrue(failure instanceof ProtocolViolationException, () -> String.valueOf(failure));
                assertTrue(failure.getMessage().contains("'liar'")
                        && failure.getMessage().contains("does not list among its participants"),
                        failure.getMessage());
            }
            List<Tx> txs = GlobalBinlogContent.read(storage.resolve("binlog"));
            assertEquals(1, txs.size(), () -> "only the insert before it: " + txs);
            assertTrue(txs.get(0).origin().startsWith("local=dn0:"));
        }
    }

    private static void awaitHoldup(Pipeline pipeline, String what) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (pipeline.stats().holdups().stream().noneMatch(h -> h.contains(what))) {
            assertTrue(System.nanoTime() < deadline, () -> "no holdup '" + what + "': " + pipeline.stats().holdups());
            Thread.sleep(20);
        }
        assertNotNull(pipeline.lastCheckpoint());
    }

    private static void prepare(Connection c, String gtrid, String bqual, String statement) throws SQLException {
        String xid = "'" + gtrid + "','" + bqual + "'";
        sql(c, "XA START " + xid, statement, "XA END " + xid, "XA PREPARE " + xid);
    }

    private static void sql(Connection c, String... statements) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }
}
