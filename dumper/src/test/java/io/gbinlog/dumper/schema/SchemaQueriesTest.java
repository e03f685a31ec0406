package io.gbinlog.dumper.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.dumper.fixture.TestBinlog;
import io.gbinlog.dumper.server.Dumper;
import io.gbinlog.meta.config.HostPort;
import io.gbinlog.meta.schema.SchemaHistory;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schema questions through mariadb-java-client, answered as MariaDB 10.11 answers them for the same tables
 * (the expected rows are MariaDB's own output for these CREATE TABLEs).
 */
class SchemaQueriesTest {

    @TempDir
    static Path dir;
    private static TestBinlog binlog;
    private static SchemaHistory history;
    private static Dumper dumper;

    @BeforeAll
    static void start() throws Exception {
        binlog = TestBinlog.open(dir.resolve("binlog"), 1 << 20);
        history = SchemaTables.history(dir.resolve("schema"));
        dumper = Dumper.start(binlog.log(), history, HostPort.parse("127.0.0.1:0"), Map.of("repl", "secret"));
    }

    @AfterAll
    static void stop() throws Exception {
        dumper.close();
        history.close();
        binlog.close();
    }

    private static Connection connect(String options) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + dumper.port() + "/?user=repl&password=secret"
                + options);
    }

    /** Column labels, then every row, as text. */
    private static List<List<String>> table(ResultSet rs) throws SQLException {
        ResultSetMetaData meta = rs.getMetaData();
        List<List<String>> table = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (int i = 1; i <= meta.getColumnCount(); i++) {
            labels.add(meta.getColumnLabel(i));
        }
        table.add(labels);
        while (rs.next()) {
            List<String> row = new ArrayList<>();
            for (int i = 1; i <= meta.getColumnCount(); i++) {
                row.add(rs.getString(i));
            }
            table.add(row);
        }
        return table;
    }

    private static List<List<String>> query(String sql) throws SQLException {
        try (Connection connection = connect(""); Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            return table(rs);
        }
    }

    private static SQLException failure(String sql) {
        return assertThrows(SQLException.class, () -> query(sql), sql);
    }

    @Test
    void databases() throws SQLException {
        assertEquals(List.of(List.of("Database"), List.of("bank"), List.of("shop")), query("SHOW DATABASES"));
        assertEquals(List.of(List.of("Database (s%)"), List.of("shop")), query("show schemas like 's%';"));
    }

    @Test
    void schemataAsDebeziumReadsThem() throws SQLException {
        assertEquals(List.of(List.of("SCHEMA_NAME", "DEFAULT_CHARACTER_SET_NAME", "DEFAULT_COLLATION_NAME"),
                        List.of("bank", "utf8mb4", "utf8mb4_general_ci"), List.of("shop", "utf8mb4", "utf8mb4_general_ci")),
                query("SELECT schema_name, default_character_set_name, default_collation_name FROM"
                        + " information_schema.schemata"));
        assertEquals(List.of(List.of("CATALOG_NAME", "SCHEMA_NAME", "DEFAULT_CHARACTER_SET_NAME", "DEFAULT_COLLATION_NAME",
                        "SQL_PATH", "DEFAULT_ENCRYPTION"), java.util.Arrays.asList("def", "shop", "utf8mb4",
                        "utf8mb4_general_ci", null, "NO")),
                query("select * from INFORMATION_SCHEMA.`SCHEMATA` where SCHEMA_NAME = 'shop'"));
        assertEquals(1054, failure("SELECT nonsense FROM information_schema.schemata").getErrorCode());
    }

    @Test
    void tables() throws SQLException {
        assertEquals(List.of(List.of("Tables_in_shop", "Table_type"), List.of("items", "BASE TABLE"),
                List.of("orders", "BASE TABLE")), query("show full tables from `shop` where Table_type = 'BASE TABLE'"));
        assertEquals(List.of(List.of("Tables_in_shop", "Table_type")),
                query("SHOW FULL TABLES IN shop WHERE Table_Type = 'VIEW'"));
        assertEquals(List.of(List.of("Tables_in_shop (o%)"), List.of("orders")), query("SHOW TABLES IN shop LIKE 'o%'"));
        assertEquals(List.of(List.of("Tables_in_shop"), List.of("orders")),
                query("/* tool */ SHOW TABLES FROM shop WHERE Tables_in_shop LIKE 'ord%'"));
        try (Connection connection = connect(""); Statement statement = connection.createStatement()) {
            statement.execute("USE shop");
            try (ResultSet rs = statement.executeQuery("SHOW TABLES")) {
                assertEquals(List.of(List.of("Tables_in_shop"), List.of("items"), List.of("orders")), table(rs));
            }
        }
    }

    @Test
    void createTable() throws SQLException {
        List<List<String>> expected = List.of(List.of("Table", "Create Table"),
                List.of("orders", history.table("shop", "orders").createTable()));
        assertEquals(expected, query("SHOW CREATE TABLE shop.orders"));
        assertEquals(expected, query("show create table `shop`.`orders`"));
        try (Connection connection = connect(""); Statement statement = connection.createStatement()) {
            connection.setCatalog("shop");
            try (ResultSet rs = statement.executeQuery("show create table orders")) {
                assertEquals(expected, table(rs));
            }
        }
    }

    @Test
    void columnsAsMariaDbShowsThem() throws SQLException {
        List<List<String>> desc = List.of(
                List.of("Field", "Type", "Null", "Key", "Default", "Extra"),
                Arrays.asList("id", "bigint(20) unsigned", "NO", "PRI", null, "auto_increment"),
                Arrays.asList("customer", "varchar(20)", "NO", "", "x", ""),
                Arrays.asList("amount", "decimal(10,2)", "YES", "", null, ""),
                Arrays.asList("state", "enum('a','b')", "YES", "", null, ""),
                Arrays.asList("note", "text", "YES", "", null, ""),
                Arrays.asList("u", "int(11)", "YES", "UNI", null, ""),
                Arrays.asList("m", "int(11)", "YES", "MUL", null, ""));
        assertEquals(desc, query("DESC shop.orders"));
        assertEquals(desc, query("describe `shop`.`orders`"));
        assertEquals(desc, query("SHOW COLUMNS FROM orders FROM shop"));
        assertEquals(List.of(desc.get(0), desc.get(2)), query("SHOW FIELDS IN shop.orders LIKE 'c%'"));
        assertEquals(List.of(desc.get(0), desc.get(6)), query("EXPLAIN shop.orders u"));
        assertEquals(List.of(desc.get(0), Arrays.asList("sku", "varchar(10)", "NO", "PRI", null, ""),
                Arrays.asList("name", "varchar(40)", "YES", "", null, "")), query("DESC shop.items"));
        String privileges = "select,insert,update,references";
        assertEquals(List.of(
                List.of("Field", "Type", "Collation", "Null", "Key", "Default", "Extra", "Privileges", "Comment"),
                Arrays.asList("id", "bigint(20) unsigned", null, "NO", "PRI", null, "auto_increment", privileges, ""),
                Arrays.asList("customer", "varchar(20)", "utf8mb4_general_ci", "NO", "", "x", "", privileges, "who"),
                Arrays.asList("amount", "decimal(10,2)", null, "YES", "", null, "", privileges, ""),
                Arrays.asList("state", "enum('a','b')", "utf8mb4_general_ci", "YES", "", null, "", privileges, ""),
                Arrays.asList("note", "text", "utf8mb4_general_ci", "YES", "", null, "", privileges, ""),
                Arrays.asList("u", "int(11)", null, "YES", "UNI", null, "", privileges, ""),
                Arrays.asList("m", "int(11)", null, "YES", "MUL", null, "", privileges, "")),
                query("show full columns from orders from shop"));
    }

    @Test
    void unknownNamesGetMySqlErrors() {
        SQLException db = failure("SHOW TABLES FROM nope");
        assertEquals(1049, db.getErrorCode());
        assertEquals("42000", db.getSQLState());
        assertTrue(db.getMessage().contains("Unknown database 'nope'"), db.getMessage());
        SQLException table = failure("SHOW CREATE TABLE shop.nope");
        assertEquals(1146, table.getErrorCode());
        assertEquals("42S02", table.getSQLState());
        assertTrue(table.getMessage().contains("Table 'shop.nope' doesn't exist"), table.getMessage());
        assertEquals(1146, failure("desc bank.orders").getErrorCode());
        SQLException none = failure("DESC orders");
        assertEquals(1046, none.getErrorCode());
        assertEquals("3D000", none.getSQLState());
        assertEquals(1049, failure("USE nope").getErrorCode());
        assertEquals(1235, failure("EXPLAIN SELECT 1").getErrorCode());
    }

    @Test
    void answersFollowTheLatestDdl(@TempDir Path own) throws Exception {
        try (TestBinlog log = TestBinlog.open(own.resolve("binlog"), 1 << 20);
             SchemaHistory later = SchemaTables.history(own.resolve("schema"));
             Dumper server = Dumper.start(log.log(), later, HostPort.parse("127.0.0.1:0"), Map.of("repl", "secret"))) {
            later.apply(5, "shop", "ALTER TABLE orders ADD COLUMN extra VARCHAR(8) NOT NULL DEFAULT 'e' AFTER id");
            later.apply(6, "", "CREATE DATABASE late");
            try (Connection connection = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + server.port()
                    + "/late?user=repl&password=secret"); Statement statement = connection.createStatement()) {
                try (ResultSet rs = statement.executeQuery("SHOW COLUMNS FROM shop.orders LIKE 'extra'")) {
                    assertEquals(List.of(List.of("Field", "Type", "Null", "Key", "Default", "Extra"),
                            List.of("extra", "varchar(8)", "NO", "", "e", "")), table(rs));
                }
                try (ResultSet rs = statement.executeQuery("SHOW TABLES")) {
                    assertEquals(List.of(List.of("Tables_in_late")), table(rs));
                }
            }
        }
    }

    @Test
    void batchOfCreateTablesAsCanalSendsIt() throws SQLException {
        try (Connection connection = connect("&allowMultiQueries=true"); Statement statement = connection.createStatement()) {
            assertTrue(statement.execute("show create table `shop`.`orders`;show create table `shop`.`items`;"));
            List<String> names = new ArrayList<>();
            do {
                try (ResultSet rs = statement.getResultSet()) {
                    assertTrue(rs.next());
                    names.add(rs.getString(1));
                }
            } while (statement.getMoreResults());
            assertEquals(List.of("orders", "items"), names);
            assertFalse(statement.execute("USE bank; SET @x = 1"));
            assertEquals("bank", connection.getCatalog());
        }
    }
}
