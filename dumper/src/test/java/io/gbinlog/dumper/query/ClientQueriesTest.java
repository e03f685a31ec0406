package io.gbinlog.dumper.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.dumper.fixture.TestBinlog;
import io.gbinlog.dumper.server.Dumper;
import io.gbinlog.meta.config.HostPort;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What CDC connectors send around reading the binlog (Debezium's snapshot and its Connector/J), through
 * mariadb-java-client: transaction control and the global read lock are accepted, grants, status and the GTID
 * set functions answered as MySQL 8.0 answers them.
 */
class ClientQueriesTest {

    private static final String A = "3e11fa47-71ca-11e1-9e33-c80aa9429562";

    @TempDir
    static Path dir;
    private static TestBinlog binlog;
    private static Dumper dumper;

    @BeforeAll
    static void start() throws Exception {
        binlog = TestBinlog.open(dir, 16 * 1024);
        dumper = Dumper.start(binlog.log(), HostPort.parse("127.0.0.1:0"), Map.of("repl", "secret", "other", "x"));
    }

    @AfterAll
    static void stop() throws Exception {
        dumper.close();
        binlog.close();
    }

    private static Connection connect() throws Exception {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + dumper.port() + "/?user=repl&password=secret");
    }

    private static List<List<String>> rows(ResultSet r) throws SQLException {
        List<List<String>> rows = new ArrayList<>();
        int columns = r.getMetaData().getColumnCount();
        while (r.next()) {
            List<String> row = new ArrayList<>();
            for (int i = 1; i <= columns; i++) {
                row.add(r.getString(i));
            }
            rows.add(row);
        }
        return rows;
    }

    private static List<List<String>> rows(Statement s, String sql) throws SQLException {
        try (ResultSet r = s.executeQuery(sql)) {
            return rows(r);
        }
    }

    @Test
    void snapshotTransactionAndLocksAreAccepted() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String sql : new String[] {"SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ",
                    "START TRANSACTION WITH CONSISTENT SNAPSHOT", "COMMIT", "start transaction read only, with consistent"
                    + " snapshot", "ROLLBACK WORK", "BEGIN", "commit;", "FLUSH TABLES", "FLUSH TABLES WITH READ LOCK",
                    "/* debezium */ UNLOCK TABLES"}) {
                s.execute(sql);
            }
            c.setAutoCommit(false);
            c.commit();
            c.rollback();
            c.setAutoCommit(true);
        }
    }

    @Test
    void grantsAreTheAccountsOwn() throws Exception {
        String grant = "GRANT SELECT, RELOAD, SHOW DATABASES, LOCK TABLES, REPLICATION SLAVE, REPLICATION CLIENT ON *.*"
                + " TO `repl`@`%`";
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String sql : new String[] {"SHOW GRANTS", "SHOW GRANTS FOR CURRENT_USER", "SHOW GRANTS FOR CURRENT_USER()",
                    "show grants for 'repl'@'%'", "SHOW GRANTS FOR repl"}) {
                try (ResultSet r = s.executeQuery(sql)) {
                    assertEquals("Grants for repl@%", r.getMetaData().getColumnLabel(1), sql);
                    assertEquals(List.of(List.of(grant)), rows(r), sql);
                }
            }
            SQLException e = assertThrows(SQLException.class, () -> rows(s, "SHOW GRANTS FOR 'other'@'%'"));
            assertEquals(1141, e.getErrorCode());
            assertTrue(e.getMessage().endsWith("There is no such grant defined for user 'other' on host '%'"), e::getMessage);
        }
    }

    @Test
    void statusSaysNoTls() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            assertEquals(List.of(List.of("Ssl_version", "")), rows(s, "SHOW SESSION STATUS LIKE 'Ssl_version'"));
            assertEquals(List.of("Ssl_cipher", "Ssl_version"),
                    rows(s, "show global status like 'ssl\\_%'").stream().map(row -> row.get(0)).toList());
            assertEquals(List.of("Ssl_cipher", "Ssl_version", "Uptime"),
                    rows(s, "SHOW STATUS").stream().map(row -> row.get(0)).toList());
        }
    }

    @Test
    void gtidFunctions() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            try (ResultSet r = s.executeQuery("SELECT GTID_SUBTRACT('" + A + ":1-10', '" + A + ":3-4')")) {
                assertEquals("GTID_SUBTRACT('" + A + ":1-10', '" + A + ":3-4')", r.getMetaData().getColumnLabel(1));
                assertEquals(List.of(List.of(A + ":1-2:5-10")), rows(r));
            }
            assertEquals(List.of(List.of("1", "0")), List.of(List.of(
                    rows(s, "SELECT GTID_SUBSET('" + A + ":2', '" + A + ":1-3') AS s").get(0).get(0),
                    rows(s, "select gtid_subset('" + A + ":1-5', '" + A + ":1-3')").get(0).get(0))));
            // Connector/J sends a prepared statement's parameters as escaped literals, newlines included
            try (PreparedStatement p = c.prepareStatement("SELECT GTID_SUBTRACT(?, ?)")) {
                p.setString(1, A + ":1-5,\n" + "8a94f357-aab4-11df-86ab-c80aa9429562:1-2");
                p.setString(2, A + ":1-5");
                try (ResultSet r = p.executeQuery()) {
                    assertEquals(List.of(List.of("8a94f357-aab4-11df-86ab-c80aa9429562:1-2")), rows(r));
                }
            }
            SQLException e = assertThrows(SQLException.class, () -> rows(s, "SELECT GTID_SUBTRACT('nonsense', '')"));
            assertEquals(1772, e.getErrorCode());
            assertTrue(e.getMessage().endsWith("Malformed GTID set specification 'nonsense'."), e::getMessage);
        }
    }

    @Test
    void everythingElseGoesOn() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            assertEquals(1, rows(s, "SHOW MASTER STATUS").size());
            SQLException e = assertThrows(SQLException.class, () -> rows(s, "SELECT * FROM t"));
            assertEquals(1235, e.getErrorCode());
        }
    }
}
