package io.gbinlog.dumper.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import io.gbinlog.dumper.fixture.BinlogFiles;
import io.gbinlog.dumper.fixture.ProtocolClient;
import io.gbinlog.dumper.fixture.TestBinlog;
import io.gbinlog.dumper.server.Dumper;
import io.gbinlog.merger.writer.BinlogPosition;
import io.gbinlog.meta.config.HostPort;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What DBAs and tools ask a primary, through mariadb-java-client and the protocol: binlog status at a real
 * transaction boundary, the file list, SHOW BINLOG EVENTS worded as MySQL words it, the variables replicas check,
 * and registered replicas.
 */
class StatusQueriesTest {

    @TempDir
    static Path dir;
    private static TestBinlog binlog;
    private static Dumper dumper;

    @BeforeAll
    static void start() throws Exception {
        binlog = TestBinlog.open(dir, 16 * 1024);
        binlog.appendSchema();
        binlog.appendSource(60);
        dumper = Dumper.start(binlog.log(), HostPort.parse("127.0.0.1:0"), Map.of("repl", "secret"));
    }

    @AfterAll
    static void stop() throws Exception {
        dumper.close();
        binlog.close();
    }

    private static Connection connect() throws Exception {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + dumper.port() + "/?user=repl&password=secret");
    }

    private static List<List<String>> rows(Statement s, String sql) throws Exception {
        List<List<String>> rows = new ArrayList<>();
        try (ResultSet r = s.executeQuery(sql)) {
            int columns = r.getMetaData().getColumnCount();
            while (r.next()) {
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= columns; i++) {
                    row.add(r.getString(i));
                }
                rows.add(row);
            }
        }
        return rows;
    }

    @Test
    void masterStatusIsTheEndOfTheLastTransactionWithItsGtidSet() throws Exception {
        BinlogPosition end = binlog.log().endPosition();
        List<String> expected = List.of(end.file(), Long.toString(end.position()), "", "",
                TestBinlog.CLUSTER + ":1-" + binlog.transactions());
        try (Connection c = connect(); Statement s = c.createStatement()) {
            assertEquals(List.of(expected), rows(s, "SHOW MASTER STATUS"));
            assertEquals(List.of(expected), rows(s, "show binary log status;"));
            try (ResultSet r = s.executeQuery("/* tool */ SHOW MASTER STATUS")) {
                assertEquals("Executed_Gtid_Set", r.getMetaData().getColumnLabel(5));
            }
            assertEquals(List.of(List.of(expected.get(4))), rows(s, "SELECT @@GLOBAL.gtid_executed"));
        }
    }

    @Test
    void binaryLogsListsEveryFileWithItsSize() throws Exception {
        List<List<String>> expected = new ArrayList<>();
        for (Path file : binlog.files()) {
            expected.add(List.of(file.getFileName().toString(), Long.toString(Files.size(file)), "No"));
        }
        assertTrue(expected.size() > 2);
        try (Connection c = connect(); Statement s = c.createStatement()) {
            assertEquals(expected, rows(s, "SHOW BINARY LOGS"));
            assertEquals(expected, rows(s, "SHOW MASTER LOGS"));
        }
    }

    @Test
    void binlogEventsShowEveryEventOfAFileAsMySqlDoes() throws Exception {
        Path first = binlog.files().get(0);
        List<Event> events = BinlogFiles.events(List.of(first));
        try (Connection c = connect(); Statement s = c.createStatement()) {
            List<List<String>> shown = rows(s, "SHOW BINLOG EVENTS");
            assertEquals(events.size(), shown.size());
            for (int i = 0; i < events.size(); i++) {
                EventHeaderV4 header = events.get(i).getHeader();
                List<String> row = shown.get(i);
                assertEquals("binlog.000001", row.get(0));
                assertEquals(Long.toString(header.getPosition()), row.get(1), "Pos of event " + i);
                assertEquals(Long.toString(TestBinlog.SERVER_ID), row.get(3));
                assertEquals(Long.toString(header.getNextPosition()), row.get(4), "End_log_pos of event " + i);
            }
            assertEquals(List.of("Format_desc", "Server ver: 8.0.36-gbinlog, Binlog ver: 4"), shown.get(0).subList(2, 6)
                    .stream().filter(v -> !v.matches("\\d+")).toList());
            assertEquals("Previous_gtids", shown.get(1).get(2));
            assertEquals("", shown.get(1).get(5));
            assertEquals(List.of("Gtid", "SET @@SESSION.GTID_NEXT= '" + TestBinlog.CLUSTER + ":1'"), typeAndInfo(shown.get(2)));
            // A DDL carries its cts in a leading comment.
            assertEquals("Query", shown.get(3).get(2));
            assertTrue(shown.get(3).get(5).matches("/\\* gbinlog cts=\\d+ \\*/ CREATE DATABASE shop"), shown.get(3).toString());
            assertTrue(shown.get(5).get(5).matches("use `shop`; /\\* gbinlog cts=\\d+ \\*/ CREATE TABLE orders \\(.*"),
                    shown.get(5).toString());
            List<String> infos = shown.stream().map(r -> r.get(2) + ": " + r.get(5)).toList();
            assertTrue(infos.contains("Query: BEGIN"), infos.toString());
            assertTrue(infos.stream().anyMatch(i -> i.startsWith("Rows_query: # ")), infos.toString());
            assertTrue(infos.stream().anyMatch(i -> i.matches("Table_map: table_id: 10[12] \\(shop\\.(orders|items)\\)")),
                    infos.toString());
            assertTrue(infos.stream().anyMatch(i -> i.matches("(Write|Update|Delete)_rows: table_id: 10[12] flags: STMT_END_F")),
                    infos.toString());
            assertTrue(infos.stream().anyMatch(i -> i.matches("Xid: COMMIT /\\* xid=\\d+ \\*/")), infos.toString());
            assertEquals(List.of("Rotate", "binlog.000002;pos=4"), typeAndInfo(shown.get(shown.size() - 1)));

            // Canal's probe of the first event, and paging with FROM and LIMIT offset, count.
            assertEquals(shown.subList(0, 1), rows(s, "show binlog events limit 1"));
            String from = shown.get(3).get(1);
            assertEquals(shown.subList(5, 8), rows(s, "SHOW BINLOG EVENTS IN 'binlog.000001' FROM " + from + " LIMIT 2, 3"));
            assertEquals(shown.subList(3, 5), rows(s, "SHOW BINLOG EVENTS IN \"binlog.000001\" FROM " + from + " LIMIT 2"));
            List<List<String>> second = rows(s, "SHOW BINLOG EVENTS IN 'binlog.000002'");
            assertEquals(List.of("Format_desc", "Previous_gtids"), List.of(second.get(0).get(2), second.get(1).get(2)));
            assertTrue(second.get(1).get(5).startsWith(TestBinlog.CLUSTER + ":1-"), second.get(1).toString());
        }
    }

    private static List<String> typeAndInfo(List<String> row) {
        return List.of(row.get(2), row.get(5));
    }

    @Test
    void binlogEventsFromInsideAnEventIsAnError() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            java.sql.SQLException e = org.junit.jupiter.api.Assertions.assertThrows(java.sql.SQLException.class,
                    () -> rows(s, "SHOW BINLOG EVENTS FROM 5"));
            assertEquals(1220, e.getErrorCode());
            assertTrue(e.getMessage().contains("Wrong offset or I/O error"), e.getMessage());
        }
    }

    @Test
    void variablesReplicasAndToolsCheck() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            assertEquals(List.of(List.of(Long.toString(TestBinlog.SERVER_ID), TestBinlog.CLUSTER.toString(), "ON", "ON")),
                    rows(s, "SELECT @@GLOBAL.SERVER_ID, @@GLOBAL.SERVER_UUID, @@GLOBAL.GTID_MODE, @@enforce_gtid_consistency"));
            assertEquals(List.of(List.of("binlog_format", "ROW")), rows(s, "show variables like 'binlog_format'"));
            assertEquals(List.of(List.of("binlog_row_image", "FULL")), rows(s, "show variables like 'binlog_row_image'"));
            assertEquals(List.of(List.of("CRC32")), rows(s, "select @@global.binlog_checksum"));
            assertEquals(List.of(List.of("server_id", Long.toString(TestBinlog.SERVER_ID))),
                    rows(s, "SHOW VARIABLES LIKE 'SERVER_ID'"));
            assertTrue(rows(s, "SELECT VERSION()").get(0).get(0).endsWith("8.0.36-gbinlog"));
            assertTrue(c.getMetaData().getDatabaseProductVersion().startsWith("8.0.36"),
                    "the greeting says 8.0: " + c.getMetaData().getDatabaseProductVersion());
            // What a MariaDB replica sends, in its order.
            long now = Long.parseLong(rows(s, "SELECT UNIX_TIMESTAMP()").get(0).get(0));
            assertTrue(Math.abs(now - System.currentTimeMillis() / 1000) < 60);
            s.execute("SET @master_heartbeat_period= 30000000000");
            s.execute("SET @master_binlog_checksum= @@global.binlog_checksum");
            assertEquals(List.of(List.of("CRC32")), rows(s, "SELECT @master_binlog_checksum"));
            s.execute("SET @mariadb_slave_capability=4");
            s.execute("set wait_timeout=9999999");
            s.execute("set net_write_timeout=1800");
            s.execute("set names 'binary'");
            s.execute("SET @slave_uuid= 'b9d8f1ae-0000-4000-8000-000000000001', @replica_uuid= 'b9d8f1ae-0000-4000-8000-000000000001'");
        }
    }

    @Test
    void registeredReplicasAreListedWhileConnected() throws Exception {
        try (ProtocolClient client = ProtocolClient.login(dumper.port(), "repl", "secret")) {
            client.execute("SET @replica_uuid = 'b9d8f1ae-0000-4000-8000-000000000002'");
            client.send(() -> registerSlave(31, "replica-host", 3333));
            assertEquals(0, client.read().bytes()[0]);
            List<String> expected = List.of("31", "replica-host", "3333", Long.toString(TestBinlog.SERVER_ID),
                    "b9d8f1ae-0000-4000-8000-000000000002");
            try (Connection c = connect(); Statement s = c.createStatement()) {
                assertEquals(List.of(expected), rows(s, "SHOW REPLICAS"));
                assertEquals(List.of(expected), rows(s, "SHOW SLAVE HOSTS"));
            }
        }
        try (Connection c = connect(); Statement s = c.createStatement()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!rows(s, "SHOW REPLICAS").isEmpty()) { // the server notices the closed socket asynchronously
                assertTrue(System.nanoTime() < deadline, "the replica is still listed after disconnecting");
                Thread.onSpinWait();
            }
        }
    }

    private static byte[] registerSlave(long serverId, String host, int port) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(0x15);
        writeInt(out, serverId, 4);
        byte[] name = host.getBytes(StandardCharsets.UTF_8);
        out.write(name.length);
        out.write(name, 0, name.length);
        out.write(0); // user
        out.write(0); // password
        writeInt(out, port, 2);
        writeInt(out, 0, 4);
        writeInt(out, 0, 4);
        return out.toByteArray();
    }

    private static void writeInt(ByteArrayOutputStream out, long value, int bytes) {
        for (int i = 0; i < bytes; i++) {
            out.write((int) (value >>> (8 * i)));
        }
    }
}
