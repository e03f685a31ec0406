package io.gbinlog.integration.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.meta.tso.JdbcTsoClient;
import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.integration.coordinator.Coordinator;
import io.gbinlog.integration.pipeline.GlobalBinlogContent.Tx;
import io.gbinlog.integration.testing.TestTso;
import io.gbinlog.integration.workload.BankWorkload;
import io.gbinlog.integration.workload.TxnRecord;
import io.gbinlog.integration.workload.TxnRecord.Outcome;
import io.gbinlog.merger.pipeline.Pipeline;
import io.gbinlog.merger.pipeline.PipelineStats;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole pipeline on three real data nodes under the bank workload (distributed, local and rolled-back
 * transactions), its global binlog read back with mysql-binlog-connector-java and mariadb-binlog, and replayed with
 * {@code mariadb-binlog | mariadb} into a fourth server, which must end with exactly the data nodes' accounts.
 */
class PipelineEndToEndTest {

    private static final int TRANSACTIONS = 1500;

    @TempDir
    Path tmp;

    /** The connector's view of the same row changes as {@link Replay#rowChanges}. */
    static List<String> rowChanges(List<Tx> txs) {
        return txs.stream().flatMap(t -> t.changes().stream())
                .map(c -> c.type() + " " + (c.before() != null ? c.before() : c.after())[0]).toList();
    }

    @Test
    void bankWorkloadComesOutOnceWholeInOrderAndReplaysToTheSameAccounts() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(4); TestTso tso = TestTso.start();
             JdbcTsoClient clock = new JdbcTsoClient(TestTso.HOST, tso.port(), TestTso.USER, TestTso.PASSWORD)) {
            List<DataNode> nodes = cluster.nodes().subList(0, 3);
            DataNode replica = cluster.node(3);
            Coordinator coordinator = Coordinator.builder().nodes(nodes).tso(tso.clients()).lockWaitTimeoutSeconds(1)
                    .build();
            BankWorkload bank = BankWorkload.builder(coordinator).threads(4).accountsPerNode(200).build();
            System.out.println("PipelineEndToEndTest seed=" + bank.seed() + " (rerun with -Dgbinlog.seed=" + bank.seed()
                    + ")");
            bank.setup();
            Map<Long, Long> initial = BankChecks.balances(nodes);
            Replay.copyTable(nodes, replica, "bank", "account", tmp);

            Path storage = tmp.resolve("storage");
            PipelineStats stats;
            try (Pipeline pipeline = Pipeline.start(PipelineTesting.settings(nodes, storage, tso))) {
                try (Connection c = nodes.get(1).connect(); Statement s = c.createStatement()) {
                    s.execute("CREATE TABLE bank.side (id INT PRIMARY KEY)"); // a DDL outside the protocol
                }
                bank.start(TRANSACTIONS);
                assertTrue(bank.awaitTermination(Duration.ofMinutes(5)), "workload finished");
                assertTrue(pipeline.awaitDurable(clock.next(), Duration.ofSeconds(60)), "caught up");
                stats = pipeline.stats();
                assertNull(pipeline.failure());
            }
            System.out.println("PipelineEndToEndTest: " + bank.progress() + "; pipeline wrote " + stats.transactions()
                    + " transactions up to " + stats.binlogEnd() + ", delay p50 " + stats.delayMillis()
                    .getValueAtPercentile(50) + " ms, max " + stats.delayMillis().getMaxValue() + " ms");
            List<TxnRecord> history = bank.history();
            assertEquals(0, bank.progress().unknown());
            assertTrue(history.stream().anyMatch(r -> r.outcome() == Outcome.ROLLED_BACK), "rollbacks ran");

            Path binlogDir = storage.resolve("binlog");
            List<Path> files = GlobalBinlogContent.files(binlogDir);
            assertTrue(files.size() > 1, "files rotated: " + files);
            List<Tx> txs = GlobalBinlogContent.read(binlogDir);
            int rows = BankChecks.check(txs, history, initial, bank.expectedTotal());
            List<Tx> ddls = txs.stream().filter(t -> t.ddl() != null).toList();
            assertEquals(List.of(), ddls, "a DDL outside the protocol is not written");
            assertEquals(1, stats.ddlsOutsideProtocol(), "it is reported");
            assertEquals(stats.transactions(), txs.size());

            String decoded = Replay.decode(files, tmp);
            assertEquals(rowChanges(txs), Replay.rowChanges(decoded, "bank", "account"),
                    "mariadb-binlog decodes the same row changes in the same order");
            assertEquals(rows, decoded.split("\\bXid = ", -1).length - 1, "mariadb-binlog sees every row transaction");

            Replay.apply(files, replica, tmp);
            assertEquals(BankChecks.rows(nodes), BankChecks.rows(List.of(replica)),
                    "the replayed accounts are the union of the data nodes' accounts");
        }
    }
}
