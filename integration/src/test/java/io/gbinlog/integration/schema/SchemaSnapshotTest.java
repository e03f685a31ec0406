package io.gbinlog.integration.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.meta.schema.ColumnSchema;
import io.gbinlog.meta.schema.NameMapping;
import io.gbinlog.meta.schema.SchemaException;
import io.gbinlog.meta.schema.SchemaHistory;
import io.gbinlog.meta.schema.SchemaSnapshot;
import io.gbinlog.meta.schema.TableSchema;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The schema history against real MariaDB data nodes: shards read as one logical table, and a table's definition
 * is what the data node's own SHOW FULL COLUMNS says, whether the history read it at the first start or followed
 * it through logical DDL.
 */
class SchemaSnapshotTest {
    private static final NameMapping NAMES = NameMapping.of(List.of(
            new NameMapping.Rule("shop_p{n}.orders_{n}", "shop.orders"),
            new NameMapping.Rule("shop_p{n}.*", "shop.*")));

    /** A table of many kinds of column; {@code %s} is its (physical or logical) qualified name. */
    private static final String KINDS = """
            CREATE TABLE %s (
              id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
              name VARCHAR(40) NOT NULL COMMENT 'who',
              note TEXT CHARACTER SET latin1,
              state ENUM('new','paid','it''s') COLLATE utf8mb4_bin NOT NULL DEFAULT 'new',
              tags SET('a','b'),
              amount DECIMAL(10,2) DEFAULT 0.00,
              flag BOOLEAN,
              small SMALLINT,
              created TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP,
              code CHAR(3) DEFAULT 'abc',
              doubled INT AS (small * 2) STORED
            ) DEFAULT CHARSET=latin1""";
    private static final String ALTER = "ALTER TABLE %s ADD COLUMN counter INT NOT NULL DEFAULT 7 AFTER name,"
            + " DROP COLUMN tags, MODIFY note VARCHAR(100) CHARACTER SET utf8mb4, CHANGE code code2 CHAR(5)";
    private static final String ORDERS = "CREATE TABLE %s (id BIGINT NOT NULL, customer INT NOT NULL,"
            + " total DECIMAL(12,2), PRIMARY KEY (id, customer))";

    @TempDir
    Path dir;

    @Test
    void shardsReadAsOneLogicalTableWithTheColumnsTheDataNodesShow() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(2)) {
            List<Connection> nodes = List.of(cluster.node(0).connect(), cluster.node(1).connect());
            try {
                for (int n = 0; n < 2; n++) {
                    try (Statement s = nodes.get(n).createStatement()) {
                        s.execute("CREATE DATABASE shop_p" + n);
                        s.execute(ORDERS.formatted("shop_p" + n + ".orders_0" + (2 * n)));
                        s.execute(ORDERS.formatted("shop_p" + n + ".orders_0" + (2 * n + 1)));
                        s.execute("CREATE TABLE shop_p" + n + ".customers (id INT PRIMARY KEY)");
                    }
                }
                try (Statement s = nodes.get(0).createStatement()) {
                    s.execute("CREATE DATABASE plain CHARACTER SET latin1");
                    s.execute(KINDS.formatted("plain.kinds"));
                }

                SchemaSnapshot snapshot = SchemaSnapshot.read(nodes, NAMES);
                assertEquals(Map.of("shop", "utf8mb4_general_ci", "plain", "latin1_swedish_ci"),
                        snapshot.databases(), "no system schema, no __gbinlog, no physical shard names");
                assertEquals(List.of("plain.kinds", "shop.customers", "shop.orders"), snapshot.tables().stream()
                        .map(t -> t.db() + "." + t.table()).sorted().toList());
                assertEquals("utf8mb4_general_ci", snapshot.serverCollation());
                assertTrue(snapshot.collations().stream().anyMatch(c -> c.id() == 8
                        && c.name().equals("latin1_swedish_ci") && c.charset().equals("latin1") && c.isDefault()));

                try (SchemaHistory started = SchemaHistory.open(dir.resolve("started"));
                     SchemaHistory followed = SchemaHistory.open(dir.resolve("followed"))) {
                    started.bootstrap(100, snapshot);
                    TableSchema orders = started.table("shop", "orders");
                    assertTrue(orders.createTable().startsWith("CREATE TABLE `orders`"), orders.createTable());
                    assertEquals(List.of(0, 1), orders.primaryKey());
                    assertShownAs(nodes.get(1), "shop_p1.orders_03", orders);
                    assertShownAs(nodes.get(0), "plain.kinds", started.table("plain", "kinds"));

                    // a history that learns the table from logical DDL has the same definition
                    followed.bootstrap(100, new SchemaSnapshot(snapshot.collations(), snapshot.serverCollation(),
                            Map.of(), List.of()));
                    followed.apply(110, "", "CREATE DATABASE plain CHARACTER SET latin1");
                    followed.apply(120, "plain", KINDS.formatted("kinds"));
                    assertSameColumns(started.table("plain", "kinds"), followed.table("plain", "kinds"));

                    try (Statement s = nodes.get(0).createStatement()) {
                        s.execute(ALTER.formatted("plain.kinds"));
                    }
                    started.apply(200, "", ALTER.formatted("plain.kinds"));
                    assertShownAs(nodes.get(0), "plain.kinds", started.table("plain", "kinds"));
                    assertEquals(100, started.table("plain", "kinds", 199).version());
                }
                // and a first start after the DDL reads the same definition again
                try (SchemaHistory later = SchemaHistory.open(dir.resolve("later"));
                     SchemaHistory started = SchemaHistory.open(dir.resolve("started"))) {
                    later.bootstrap(300, SchemaSnapshot.read(nodes, NAMES));
                    assertSameColumns(started.table("plain", "kinds"), later.table("plain", "kinds"));
                }
            } finally {
                for (Connection c : nodes) {
                    c.close();
                }
            }
        }
    }

    @Test
    void shardsThatDifferAreReportedByName() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(2)) {
            List<Connection> nodes = List.of(cluster.node(0).connect(), cluster.node(1).connect());
            try {
                for (int n = 0; n < 2; n++) {
                    try (Statement s = nodes.get(n).createStatement()) {
                        s.execute("CREATE DATABASE shop_p" + n);
                        s.execute(ORDERS.formatted("shop_p" + n + ".orders_0" + n));
                    }
                }
                try (Statement s = nodes.get(1).createStatement()) {
                    s.execute("ALTER TABLE shop_p1.orders_01 ADD COLUMN late INT");
                }
                SchemaException e = assertThrows(SchemaException.class, () -> SchemaSnapshot.read(nodes, NAMES));
                assertTrue(e.getMessage().contains("shop.orders"), e.getMessage());
                assertTrue(e.getMessage().contains("shop_p0.orders_00"), e.getMessage());
                assertTrue(e.getMessage().contains("shop_p1.orders_01"), e.getMessage());
                assertTrue(e.getMessage().contains("late"), e.getMessage());
            } finally {
                for (Connection c : nodes) {
                    c.close();
                }
            }
        }
    }

    /** The history's columns are what the data node's SHOW FULL COLUMNS says of the physical table. */
    private static void assertShownAs(Connection node, String physical, TableSchema table) throws SQLException {
        List<String> shown = new ArrayList<>();
        List<Integer> primaryKey = new ArrayList<>();
        try (Statement s = node.createStatement(); ResultSet rs = s.executeQuery("SHOW FULL COLUMNS FROM " + physical)) {
            while (rs.next()) {
                if ("PRI".equals(rs.getString("Key"))) {
                    primaryKey.add(shown.size());
                }
                shown.add(String.join("|", rs.getString("Field"), rs.getString("Type"), rs.getString("Collation"),
                        rs.getString("Null"), rs.getString("Default"), rs.getString("Extra"),
                        rs.getString("Comment")));
            }
        }
        List<String> history = new ArrayList<>();
        for (ColumnSchema c : table.columns()) {
            history.add(String.join("|", c.name(), c.columnType(), c.collation(), c.nullable() ? "YES" : "NO",
                    c.defaultValue(), c.extra(), c.comment()));
        }
        assertEquals(String.join("\n", shown), String.join("\n", history), physical);
        assertEquals(primaryKey, table.primaryKey(), physical);
        assertFalse(table.createTable().contains("shop_p"), table.createTable());
    }

    private static void assertSameColumns(TableSchema expected, TableSchema actual) {
        assertEquals(expected.columns(), actual.columns());
        assertEquals(expected.primaryKey(), actual.primaryKey());
    }
}
