package io.gbinlog.integration.pipeline;

import io.gbinlog.integration.testing.ReplicaStatus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.meta.tso.JdbcTsoClient;
import io.gbinlog.dumper.server.Dumper;
import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.integration.coordinator.Coordinator;
import io.gbinlog.integration.testing.TestTso;
import io.gbinlog.integration.workload.BankWorkload;
import io.gbinlog.merger.pipeline.Pipeline;
import io.gbinlog.meta.config.HostPort;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 4's acceptance through the real pipeline: three data nodes under the bank workload, the pipeline and the
 * dumper in this JVM, and a real MariaDB replica (a fourth server) that follows the dumper by file and position
 * while the workload runs, through a STOP SLAVE / START SLAVE in the middle. Once the workload has stopped and the
 * global binlog has caught up, the replica reaches the dumper's SHOW MASTER STATUS without error and holds exactly
 * the union of the data nodes' accounts.
 */
class PipelineReplicaTest {

    /** Transactions the workload commits in each phase of the replica. */
    private static final int PHASE = 300;
    private static final Map<String, String> USERS = Map.of("repl", "secret");

    @TempDir
    Path tmp;

    @Test
    void mariaDbReplicaOfTheDumperEndsWithTheDataNodesAccounts() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(4); TestTso tso = TestTso.start();
             JdbcTsoClient clock = new JdbcTsoClient(TestTso.HOST, tso.port(), TestTso.USER, TestTso.PASSWORD)) {
            List<DataNode> nodes = cluster.nodes().subList(0, 3);
            DataNode replica = cluster.node(3);
            Coordinator coordinator = Coordinator.builder().nodes(nodes).tso(tso.clients()).lockWaitTimeoutSeconds(1)
                    .build();
            BankWorkload bank = BankWorkload.builder(coordinator).threads(4).accountsPerNode(200)
                    .recordHistory(false).build();
            System.out.println("PipelineReplicaTest seed=" + bank.seed() + " (rerun with -Dgbinlog.seed=" + bank.seed()
                    + ")");
            bank.setup();
            // The global binlog begins after the set-up: the replica starts from the accounts as they are now.
            Replay.copyTable(nodes, replica, "bank", "account", tmp);

            try (Pipeline pipeline = Pipeline.start(PipelineTesting.settings(nodes, tmp.resolve("storage"), tso));
                 Dumper dumper = Dumper.start(pipeline.globalBinlog(), pipeline.schemaHistory(), HostPort.parse("127.0.0.1:0"), USERS);
                 Connection c = replica.connect(); Statement s = c.createStatement()) {
                bank.start(); // until stopped: each phase below sees the workload running, however fast it is
                try {
                    s.execute("CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=" + dumper.port() + ","
                            + " MASTER_USER='repl', MASTER_PASSWORD='secret', MASTER_LOG_FILE='binlog.000001',"
                            + " MASTER_LOG_POS=4, MASTER_USE_GTID=no, MASTER_HEARTBEAT_PERIOD=1,"
                            + " MASTER_CONNECT_RETRY=1");
                    s.execute("START SLAVE");
                    ReplicaStatus.await("the replica applies transactions while the workload runs", s,
                            () -> ReplicaStatus.executedPosition(s) > 4 && bank.progress().committed() >= PHASE);
                    s.execute("STOP SLAVE");
                    awaitMoreCommitted("while the replica is stopped", s, bank);
                    s.execute("START SLAVE");
                    awaitMoreCommitted("after START SLAVE", s, bank);
                } finally {
                    bank.stop();
                }
                try {
                    assertTrue(pipeline.awaitDurable(clock.next(), Duration.ofSeconds(60)), "caught up");
                    assertNull(pipeline.failure());
                    ReplicaStatus.Source source = ReplicaStatus.source(dumper.port(), "repl", "secret");
                    ReplicaStatus.awaitCaughtUp(s, source);
                    Map<String, String> status = ReplicaStatus.of(s);
                    assertEquals("Yes", status.get("Slave_IO_Running"), status::toString);
                    assertEquals("Yes", status.get("Slave_SQL_Running"), status::toString);
                    assertEquals("", status.get("Last_Error"), status::toString);
                    assertEquals("", status.get("Last_IO_Error"), status::toString);
                    System.out.println("PipelineReplicaTest: " + bank.progress() + "; the replica applied the global"
                            + " binlog up to " + source.file() + ":" + source.position());
                } finally {
                    s.execute("STOP SLAVE");
                }
            }
            assertEquals(BankChecks.rows(nodes), BankChecks.rows(List.of(replica)),
                    "the replica's accounts are the union of the data nodes' accounts");
        }
    }

    private static void awaitMoreCommitted(String when, Statement s, BankWorkload bank) throws InterruptedException {
        long target = bank.progress().committed() + PHASE;
        ReplicaStatus.await(PHASE + " more transactions commit " + when, s, () -> bank.progress().committed() >= target);
    }
}
