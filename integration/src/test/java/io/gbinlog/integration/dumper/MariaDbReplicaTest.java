package io.gbinlog.integration.dumper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.dumper.fixture.SourceTransactions;
import io.gbinlog.dumper.fixture.TestBinlog;
import io.gbinlog.dumper.server.Dumper;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.merger.writer.BinlogPosition;
import io.gbinlog.meta.config.HostPort;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real MariaDB replica of the dumper (file and position, MASTER_USE_GTID=no, as MariaDB replicates a MySQL
 * primary), a data node of a {@link LocalCluster}: it applies the global binlog of the captured source transactions
 * while transactions keep coming, through STOP/START SLAVE and a restart of the dumper, and ends with the source's
 * tables.
 */
class MariaDbReplicaTest {

    private static final Map<String, String> USERS = Map.of("repl", "secret");

    @TempDir
    Path dir;

    @Test
    void replicaAppliesTheGlobalBinlogThroughStopStartAndADumperRestart() throws Exception {
        try (TestBinlog binlog = TestBinlog.open(dir.resolve("log"), 32 * 1024);
                LocalCluster cluster = LocalCluster.start(1)) {
            binlog.appendSchema();
            binlog.appendSource(60);
            Dumper dumper = Dumper.start(binlog.log(), HostPort.parse("127.0.0.1:0"), USERS);
            int port = dumper.port();
            try (Connection c = cluster.node(0).connect(); Statement s = c.createStatement()) {
                s.execute("CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=" + port + ", MASTER_USER='repl',"
                        + " MASTER_PASSWORD='secret', MASTER_LOG_FILE='binlog.000001', MASTER_LOG_POS=4,"
                        + " MASTER_USE_GTID=no, MASTER_HEARTBEAT_PERIOD=1, MASTER_CONNECT_RETRY=1");
                s.execute("START SLAVE");
                awaitCaughtUp(s, binlog);

                binlog.appendSource(60); // while the replica is connected
                awaitCaughtUp(s, binlog);

                s.execute("STOP SLAVE");
                binlog.appendSource(40);
                s.execute("START SLAVE");
                awaitCaughtUp(s, binlog);

                dumper.close(); // the replica's IO thread loses its source and retries every second
                binlog.appendSource(40);
                dumper = Dumper.start(binlog.log(), HostPort.parse("127.0.0.1:" + port), USERS);
                awaitCaughtUp(s, binlog);

                binlog.appendRestOfSource();
                awaitCaughtUp(s, binlog);
                awaitHeartbeats(s, 2); // idle: the replica accepts the dumper's heartbeats (file and position agree)
                assertTrue(slaveStatus(s).contains("Last_IO_Errno=0,"), slaveStatus(s));
                for (String table : SourceTransactions.TABLES) {
                    assertEquals(binlog.source().rows(table), CaptureRecipe.rows(c, SourceTransactions.DB, table), table);
                }
                s.execute("STOP SLAVE");
            } finally {
                dumper.close();
            }
        }
    }

    /** Blocks in the replica until its SQL thread has applied everything up to the log's end, then checks its state. */
    private static void awaitCaughtUp(Statement s, TestBinlog binlog) throws Exception {
        BinlogPosition end = binlog.log().endPosition();
        try (ResultSet r = s.executeQuery("SELECT MASTER_POS_WAIT('" + end.file() + "', " + end.position() + ", 60)")) {
            r.next();
            assertTrue(r.getObject(1) != null && r.getLong(1) >= 0, "the replica did not reach " + end + " within 60 s: "
                    + slaveStatus(s));
        }
        String status = slaveStatus(s);
        assertTrue(status.contains("Slave_IO_Running=Yes") && status.contains("Slave_SQL_Running=Yes"), status);
        assertTrue(status.contains("Last_IO_Errno=0,") && status.contains("Last_SQL_Errno=0,"), status);
        assertTrue(status.contains("Relay_Master_Log_File=" + end.file() + ",")
                && status.contains("Exec_Master_Log_Pos=" + end.position() + ","), status);
    }

    private static void awaitHeartbeats(Statement s, long count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try (ResultSet r = s.executeQuery("SHOW STATUS LIKE 'Slave_received_heartbeats'")) {
                r.next();
                if (r.getLong(2) >= count) {
                    return;
                }
            }
            assertTrue(System.nanoTime() < deadline, "no heartbeats: " + slaveStatus(s));
            Thread.sleep(50); // poll interval; the condition, not the pause, ends the wait
        }
    }

    private static String slaveStatus(Statement s) throws Exception {
        StringBuilder status = new StringBuilder();
        try (ResultSet r = s.executeQuery("SHOW SLAVE STATUS")) {
            if (r.next()) {
                for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
                    status.append(r.getMetaData().getColumnLabel(i)).append('=').append(r.getString(i)).append(", ");
                }
            }
        }
        return status.toString();
    }
}
