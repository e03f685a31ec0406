package io.gbinlog.integration.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.meta.tso.JdbcTsoClient;
import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.integration.coordinator.Coordinator;
import io.gbinlog.integration.pipeline.GlobalBinlogContent.Tx;
import io.gbinlog.integration.testing.Await;
import io.gbinlog.integration.testing.ChildJvm;
import io.gbinlog.integration.testing.TestTso;
import io.gbinlog.integration.workload.BankWorkload;
import io.gbinlog.integration.workload.TxnRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipeline in its own JVM, killed with SIGKILL five times at random moments while the bank workload runs, and
 * started again each time (sometimes killed again before it finished starting). The global binlog must still hold
 * every committed transaction exactly once, whole, in order, nothing rolled back, and replay into the data nodes'
 * accounts. The kill moments come from a seed, printed; {@code -Dgbinlog.killSeed=N} repeats them.
 */
class PipelineCrashRestartTest {

    private static final int KILLS = 5;

    @TempDir
    Path tmp;

    @Test
    void killedFiveTimesDuringTheWorkloadItLosesAndRepeatsNothing() throws Exception {
        long seed = Long.getLong("gbinlog.killSeed", System.nanoTime());
        Random random = new Random(seed);
        try (LocalCluster cluster = LocalCluster.start(4); TestTso tso = TestTso.start();
             JdbcTsoClient clock = new JdbcTsoClient(TestTso.HOST, tso.port(), TestTso.USER, TestTso.PASSWORD)) {
            List<DataNode> nodes = cluster.nodes().subList(0, 3);
            DataNode replica = cluster.node(3);
            Coordinator coordinator = Coordinator.builder().nodes(nodes).tso(tso.clients()).lockWaitTimeoutSeconds(1)
                    .build();
            BankWorkload bank = BankWorkload.builder(coordinator).threads(4).accountsPerNode(200).build();
            System.out.println("PipelineCrashRestartTest killSeed=" + seed + " seed=" + bank.seed()
                    + " (rerun with -Dgbinlog.killSeed=" + seed + " -Dgbinlog.seed=" + bank.seed() + ")");
            bank.setup();
            Map<Long, Long> initial = BankChecks.balances(nodes);
            Replay.copyTable(nodes, replica, "bank", "account", tmp);
            Path storage = tmp.resolve("storage");
            Path config = writeConfig(nodes, tso, storage);

            ChildJvm child = ChildJvm.start(PipelineProcessMain.class, config.toString());
            try {
                child.awaitLine("started", 60);
                bank.start();
                for (int kill = 1; kill <= KILLS; kill++) {
                    boolean duringStart = kill > 1 && random.nextInt(4) == 0;
                    long commits = duringStart ? random.nextInt(20) : 50 + random.nextInt(400);
                    awaitCommits(bank, commits);
                    child.kill();
                    System.out.println("PipelineCrashRestartTest: kill " + kill + (duringStart ? " while starting" : "")
                            + " after " + bank.progress().committed() + " commits");
                    child = ChildJvm.start(PipelineProcessMain.class, config.toString());
                    if (kill == KILLS || !duringStart) {
                        child.awaitLine("started", 60);
                    }
                }
                awaitCommits(bank, 100);
                bank.stop();
                long end = clock.next();
                awaitDurable(child, end);
                child.terminate();
                assertEquals(0, child.waitFor(60), "closed cleanly on SIGTERM");
            } finally {
                child.close();
                bank.stop();
            }
            System.out.println("PipelineCrashRestartTest: " + bank.progress());
            List<TxnRecord> history = bank.history();
            List<Tx> txs = GlobalBinlogContent.read(storage.resolve("binlog"));
            int rows = BankChecks.check(txs, history, initial, bank.expectedTotal());
            List<Path> files = GlobalBinlogContent.files(storage.resolve("binlog"));
            String decoded = Replay.decode(files, tmp);
            assertEquals(PipelineEndToEndTest.rowChanges(txs), Replay.rowChanges(decoded, "bank", "account"));
            assertEquals(rows, decoded.split("\\bXid = ", -1).length - 1);
            Replay.apply(files, replica, tmp);
            assertEquals(BankChecks.rows(nodes), BankChecks.rows(List.of(replica)),
                    "the replayed accounts are the union of the data nodes' accounts");
        }
    }

    private static Path writeConfig(List<DataNode> nodes, TestTso tso, Path storage) throws Exception {
        StringBuilder yaml = new StringBuilder("dataNodes:\n");
        for (DataNode dn : nodes) {
            yaml.append("  - {id: ").append(dn.id()).append(", host: ").append(dn.host()).append(", port: ")
                    .append(dn.port()).append(", user: ").append(dn.user()).append(", password: ")
                    .append(dn.password()).append("}\n");
        }
        yaml.append("tso: {address: ").append(TestTso.HOST).append(':').append(tso.port()).append(", user: ")
                .append(TestTso.USER).append(", password: ").append(TestTso.PASSWORD).append("}\n");
        yaml.append("storage: {dir: ").append(storage).append("}\n");
        yaml.append("collector: {probeIntervalMs: 20}\n");
        yaml.append("binlog: {maxFileSize: 128K, fsync: batch, checkpointIntervalMs: 100}\n");
        return Files.writeString(storage.resolveSibling("gbinlog.yaml"), yaml);
    }

    /** Waits until the workload committed {@code more} transactions more than now. */
    private static void awaitCommits(BankWorkload bank, long more) {
        long target = bank.progress().committed() + more;
        Await.until(more + " more commits (the workload stalled?)", Duration.ofSeconds(60),
                () -> bank.progress().committed() >= target);
    }

    private static void awaitDurable(ChildJvm child, long tso) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (Long.parseLong(child.awaitLine("durable ", 60)) < tso) {
            assertTrue(System.nanoTime() < deadline, "the pipeline did not catch up with TSO " + tso);
        }
    }
}
