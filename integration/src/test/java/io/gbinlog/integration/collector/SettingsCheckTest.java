package io.gbinlog.integration.collector;

import static io.gbinlog.integration.collector.CollectorTesting.config;
import static io.gbinlog.integration.collector.CollectorTesting.configs;
import static io.gbinlog.integration.collector.CollectorTesting.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.collector.node.NodeSettings;
import io.gbinlog.collector.node.SettingsCheck;
import io.gbinlog.collector.node.SettingsException;
import io.gbinlog.collector.source.ReplicaCollector;
import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.cluster.LocalCluster;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Each setting of the data-node contract, made wrong on a real data node, is refused with a message naming it. */
class SettingsCheckTest {

    private static final long REPLICA_ID = 4_000_000_001L;

    @Test
    void refusesEachWrongSettingNamingTheNodeTheSettingAndTheFix() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(2)) {
            DataNode dn1 = cluster.node("dn1");
            String dn1Label = "dn1 (127.0.0.1:" + dn1.port() + ")";
            List<NodeSettings> ok = SettingsCheck.checkCluster(configs(cluster.nodes()), REPLICA_ID);
            assertEquals(List.of(1L, 2L), ok.stream().map(NodeSettings::serverId).toList());
            assertTrue(ok.get(0).mariaDb());

            refused(cluster, "binlog_format='STATEMENT'", "binlog_format='ROW'",
                    dn1Label + ": binlog_format is STATEMENT; gbinlog needs ROW (SET GLOBAL binlog_format=ROW and restart"
                            + " writers, or set it in my.cnf)");
            refused(cluster, "binlog_row_image='MINIMAL'", "binlog_row_image='FULL'",
                    dn1Label + ": binlog_row_image is MINIMAL; gbinlog needs FULL");
            refused(cluster, "binlog_annotate_row_events=OFF", "binlog_annotate_row_events=ON",
                    dn1Label + ": binlog_annotate_row_events is OFF; gbinlog needs ON");
            refused(cluster, "log_bin_compress=ON", "log_bin_compress=OFF",
                    dn1Label + ": log_bin_compress is ON; gbinlog needs OFF");
            refused(cluster, "server_id=1", "server_id=2",
                    dn1Label + ": server_id 1 is also the server_id of dn0 (127.0.0.1:" + cluster.node("dn0").port() + ")");
            refused(cluster, "gtid_domain_id=1", "gtid_domain_id=2",
                    dn1Label + ": gtid_domain_id 1 is also the gtid_domain_id of dn0");

            SettingsException sameAsReplica = assertThrows(SettingsException.class,
                    () -> SettingsCheck.checkCluster(configs(cluster.nodes()), 2));
            assertTrue(sameAsReplica.getMessage().contains(dn1Label + ": server_id is 2, the server id gbinlog's"
                    + " collectors connect with"), sameAsReplica.getMessage());

            try (Connection c = dn1.connect()) {
                sql(c, "DROP TABLE __gbinlog.ddl_log");
                SettingsException missing = assertThrows(SettingsException.class,
                        () -> SettingsCheck.checkCluster(configs(cluster.nodes()), REPLICA_ID));
                assertTrue(missing.getMessage().startsWith(dn1Label + ": table __gbinlog.ddl_log is missing; create the"
                        + " __gbinlog tables:\n" + SettingsCheck.GBINLOG_SCHEMA_SQL), missing.getMessage());
                // The message's SQL is exactly what fixes it.
                for (String statement : SettingsCheck.GBINLOG_SCHEMA_SQL.split(";\n?")) {
                    if (!statement.isBlank()) {
                        sql(c, statement);
                    }
                }
                SettingsCheck.checkCluster(configs(cluster.nodes()), REPLICA_ID);

                // Two problems at once are both reported.
                sql(c, "SET GLOBAL binlog_format='MIXED'", "SET GLOBAL binlog_row_image='NOBLOB'");
                SettingsException two = assertThrows(SettingsException.class,
                        () -> ReplicaCollector.builder(config(dn1), 1, new Recorder(false)).start());
                assertEquals(2, two.problems().size(), two.getMessage());
                sql(c, "SET GLOBAL binlog_format='ROW'", "SET GLOBAL binlog_row_image='FULL'");
            }
        }
    }

    @Test
    void refusesADataNodeWithoutBinaryLog() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().nodes(1).serverOption("--skip-log-bin").start()) {
            SettingsException e = assertThrows(SettingsException.class,
                    () -> SettingsCheck.checkCluster(configs(cluster.nodes()), REPLICA_ID));
            assertTrue(e.getMessage().startsWith("dn0 (127.0.0.1:" + cluster.node(0).port() + "): log_bin is OFF;"
                    + " gbinlog reads the binary log"), e.getMessage());
        }
    }

    @Test
    void aSettingBrokenWhileRunningStopsTheCollectorAtItsNextConnect() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(1)) {
            DataNode dn0 = cluster.node(0);
            CompletableFuture<Throwable> failed = new CompletableFuture<>();
            try (ReplicaCollector collector = ReplicaCollector.builder(config(dn0), 0, new Recorder(false))
                    .reconnectBackoff(Duration.ofMillis(10), Duration.ofMillis(100)).onFailure(failed::complete).start();
                 Connection c = dn0.connect()) {
                awaitDumpThread(dn0);
                sql(c, "SET GLOBAL binlog_format='STATEMENT'");
                CollectorTesting.killDumpThreads(dn0);
                Throwable why = failed.get(30, TimeUnit.SECONDS);
                assertInstanceOf(SettingsException.class, why);
                assertTrue(why.getMessage().contains("binlog_format is STATEMENT"), why.getMessage());
                assertEquals(why, collector.failure());
            }
        }
    }

    private static void awaitDumpThread(DataNode dn) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (CollectorTesting.dumpThreads(dn).isEmpty()) {
            assertTrue(System.nanoTime() < deadline, "the collector connected to " + dn.id());
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000); // poll, not a guess at timing
        }
    }

    private static void refused(LocalCluster cluster, String wrong, String right, String expected) throws Exception {
        try (Connection c = cluster.node("dn1").connect()) {
            sql(c, "SET GLOBAL " + wrong);
            try {
                SettingsException e = assertThrows(SettingsException.class,
                        () -> SettingsCheck.checkCluster(configs(cluster.nodes()), REPLICA_ID));
                assertTrue(e.getMessage().startsWith(expected), () -> "expected \"" + expected + "\" in: " + e.getMessage());
                assertEquals(1, e.problems().size(), e.getMessage());
            } finally {
                sql(c, "SET GLOBAL " + right);
            }
        }
    }
}
