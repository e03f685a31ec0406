package io.gbinlog.integration.collector;

import static io.gbinlog.integration.collector.CollectorTesting.config;
import static io.gbinlog.integration.collector.CollectorTesting.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.collector.capture.BinlogCoordinates;
import io.gbinlog.collector.node.DataNodes;
import io.gbinlog.collector.node.FirstStart;
import io.gbinlog.collector.node.StartPositionFinder;
import io.gbinlog.collector.ordering.Gtrid;
import io.gbinlog.collector.source.ReplicaCollector;
import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.integration.collector.Input.Kind;
import io.gbinlog.meta.config.GbinlogConfig;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The first start reaches back to the PREPARE of every branch XA RECOVER still lists, across binlog files, and reads
 * the commit_log rows of those branches before the cut.
 */
class StartPositionFinderTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @Test
    void startsAtTheOldestPrepareStillPending() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(1)) {
            DataNode node = cluster.node(0);
            GbinlogConfig.DataNode dn = config(node);
            try (Connection c = node.connect()) {
                sql(c, "CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(20))");
                assertEquals(DataNodes.masterStatus(c, dn), startOf(c, dn), "nothing prepared: the end");

                BinlogCoordinates oldPrepare = DataNodes.masterStatus(c, dn);
                try (Connection xa = node.connect()) { // prepared branches outlive their session on MariaDB
                    sql(xa, "XA START 'old','b'", "INSERT INTO app.t VALUES (1, 'old')", "XA END 'old','b'",
                            "XA PREPARE 'old','b'");
                }
                sql(c, "INSERT INTO app.t VALUES (2, 'local')");
                sql(c, "XA START 'done','b'", "INSERT INTO app.t VALUES (3, 'done')", "XA END 'done','b'",
                        "XA PREPARE 'done','b'", "XA COMMIT 'done','b'");
                sql(c, "FLUSH BINARY LOGS");
                try (Connection xa = node.connect()) {
                    sql(xa, "XA START X'0001ff',X'',5", "INSERT INTO app.t VALUES (4, 'binary')", "XA END X'0001ff',X'',5",
                            "XA PREPARE X'0001ff',X'',5");
                }
                sql(c, "FLUSH BINARY LOGS", "INSERT INTO app.t VALUES (5, 'later')");

                BinlogCoordinates start = startOf(c, dn);
                assertEquals(oldPrepare, start);

                // Read from there, both pending branches arrive whole, and their outcome follows.
                Recorder recorder = new Recorder(false);
                try (ReplicaCollector collector = ReplicaCollector.builder(dn, 0, recorder).startAt(start).start()) {
                    sql(c, "INSERT INTO __gbinlog.commit_log VALUES ('old', 42, 'dn0')", "XA COMMIT 'old','b'",
                            "XA ROLLBACK X'0001ff',X'',5");
                    Gtrid binary = Gtrid.of(new byte[] {0, 1, (byte) 0xff});
                    recorder.await(in -> in.stream().anyMatch(i -> i.kind() == Kind.ROLLED_BACK), TIMEOUT, "the rollback");
                    assertEquals(List.of(Kind.PREPARED, Kind.LOCAL, Kind.PREPARED, Kind.COMMITTED,
                                    Kind.PREPARED, Kind.LOCAL, Kind.COMMIT_LOG_ROW, Kind.COMMITTED, Kind.ROLLED_BACK),
                            recorder.inputs().stream().map(Input::kind).toList(), recorder.inputs()::toString);
                    assertEquals(Gtrid.of("old"), recorder.inputs().get(0).gtrid());
                    assertEquals(binary, recorder.inputs().get(4).gtrid());
                    assertEquals(oldPrepare.encoded(), recorder.inputs().get(0).position());
                    assertNull(collector.failure());
                }
            }
        }
    }

    @Test
    void refusesWhenAPendingPrepareWasPurged() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(1)) {
            DataNode node = cluster.node(0);
            GbinlogConfig.DataNode dn = config(node);
            try (Connection c = node.connect()) {
                sql(c, "CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY)");
                try (Connection xa = node.connect()) {
                    sql(xa, "XA START 'lost','b'", "INSERT INTO app.t VALUES (1)", "XA END 'lost','b'",
                            "XA PREPARE 'lost','b'");
                }
                sql(c, "FLUSH BINARY LOGS");
                BinlogCoordinates now = DataNodes.masterStatus(c, dn);
                // The data node keeps a file until its binlog checkpoint (InnoDB flushed) moved past it.
                long deadline = System.nanoTime() + TIMEOUT.toNanos();
                while (node.binlogFiles().size() > 1) {
                    assertTrue(System.nanoTime() < deadline, "the old binlog file was purged");
                    sql(c, "PURGE BINARY LOGS TO '" + now.file() + "'");
                }
                IllegalStateException e = assertThrows(IllegalStateException.class, () -> startOf(c, dn));
                assertTrue(e.getMessage().startsWith("dn0 (127.0.0.1:" + node.port() + "): XA branch(es) [X'6c6f7374',X'62',1]"
                        + " are prepared (XA RECOVER) but their XA PREPARE is in no binlog file"), e.getMessage());
                sql(c, "XA ROLLBACK 'lost','b'");
            }
        }
    }

    @Test
    void theFirstStartOverAllDataNodesReadsTheRowsOfTheListedBranchesBeforeTheCut() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(2)) {
            List<GbinlogConfig.DataNode> dns = List.of(config(cluster.node(0)), config(cluster.node(1)));
            try (Connection c0 = cluster.node(0).connect(); Connection c1 = cluster.node(1).connect();
                 Connection x0 = cluster.node(0).connect(); Connection x1 = cluster.node(1).connect();
                 Connection open = cluster.node(0).connect()) {
                sql(c0, "CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY)");
                sql(c1, "CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY)");
                BinlogCoordinates prepare0 = DataNodes.masterStatus(c0, dns.get(0));
                sql(x0, "XA START 'decided','dn0'", "INSERT INTO app.t VALUES (1)", "XA END 'decided','dn0'",
                        "XA PREPARE 'decided','dn0'");
                sql(x1, "XA START 'decided','dn1'", "INSERT INTO app.t VALUES (1)", "XA END 'decided','dn1'",
                        "XA PREPARE 'decided','dn1'");
                sql(c1, "INSERT INTO __gbinlog.commit_log VALUES ('decided', 42, 'dn0,dn1')");
                sql(open, "XA START 'open','dn0'", "INSERT INTO app.t VALUES (2)", "XA END 'open','dn0'",
                        "XA PREPARE 'open','dn0'");
                List<String> order = new ArrayList<>();
                FirstStart first = FirstStart.take(dns, () -> {
                    order.add("cut");
                    return 7L << 22;
                });
                assertEquals(List.of("cut"), order);
                assertEquals(7L << 22, first.cut());
                assertEquals(prepare0, first.starts().get(0), "dn0 starts at its oldest pending PREPARE");
                assertTrue(first.starts().get(1).compareTo(first.beforeCut().get(1)) < 0, "dn1 before its PREPARE");
                for (int k = 0; k < 2; k++) {
                    assertTrue(first.beforeCut().get(k).compareTo(first.afterCut().get(k)) <= 0);
                }
                assertEquals(List.of(new FirstStart.CommitLogRow(Gtrid.of("decided"), 42, List.of("dn0", "dn1"))),
                        first.rows(), "the decided branch's row, found on dn1 only; 'open' has none yet");
                sql(x0, "XA ROLLBACK 'decided','dn0'");
                sql(open, "XA ROLLBACK 'open','dn0'");
                sql(x1, "XA ROLLBACK 'decided','dn1'");
            }
        }
    }

    /** A single data node's first start: its end, then XA RECOVER. */
    private static BinlogCoordinates startOf(Connection c, GbinlogConfig.DataNode dn) throws java.sql.SQLException {
        return StartPositionFinder.find(c, dn, DataNodes.masterStatus(c, dn), StartPositionFinder.xaRecover(c));
    }
}
