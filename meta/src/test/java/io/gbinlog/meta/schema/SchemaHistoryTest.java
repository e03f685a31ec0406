package io.gbinlog.meta.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SchemaHistoryTest {
    static final List<Collation> COLLATIONS = List.of(
            new Collation(8, "latin1_swedish_ci", "latin1", true),
            new Collation(47, "latin1_bin", "latin1", false),
            new Collation(33, "utf8mb3_general_ci", "utf8mb3", true),
            new Collation(45, "utf8mb4_general_ci", "utf8mb4", true),
            new Collation(46, "utf8mb4_bin", "utf8mb4", false),
            new Collation(224, "utf8mb4_unicode_ci", "utf8mb4", false),
            new Collation(63, "binary", "binary", true));

    @TempDir
    Path dir;
    SchemaHistory history;

    @BeforeEach
    void open() throws IOException {
        history = SchemaHistory.open(dir);
    }

    @AfterEach
    void close() {
        history.close();
    }

    private void bootstrap() throws Exception {
        history.bootstrap(100, new SchemaSnapshot(COLLATIONS, "latin1_swedish_ci",
                Map.of("shop", "utf8mb4_general_ci", "empty", "latin1_swedish_ci"),
                List.of(new SchemaSnapshot.Table("shop", "orders", """
                        CREATE TABLE `orders` (
                          `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
                          `customer` varchar(40) NOT NULL COMMENT 'who',
                          `note` text CHARACTER SET latin1 DEFAULT NULL,
                          `state` enum('new','paid','it''s') COLLATE utf8mb4_bin NOT NULL DEFAULT 'new',
                          `amount` decimal(10,2) DEFAULT 0.00,
                          `created` timestamp NOT NULL DEFAULT current_timestamp() ON UPDATE current_timestamp(),
                          PRIMARY KEY (`id`),
                          KEY `by_customer` (`customer`)
                        ) ENGINE=InnoDB AUTO_INCREMENT=7 DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci"""))));
    }

    @Test
    void startsEmptyUntilBootstrap() throws Exception {
        assertTrue(history.isEmpty());
        assertEquals(-1, history.lastCts());
        assertNull(history.table("shop", "orders"));
        assertThrows(IllegalStateException.class, () -> history.apply(5, "", "CREATE DATABASE a"));
        bootstrap();
        assertFalse(history.isEmpty());
        assertEquals(100, history.lastCts());
        assertThrows(IllegalStateException.class, this::bootstrap);
    }

    @Test
    void bootstrapGivesColumnsAsDescShowsThem() throws Exception {
        bootstrap();
        assertEquals(List.of("empty", "shop"), history.databases());
        TableSchema orders = history.table("shop", "orders");
        assertEquals(100, orders.version());
        assertEquals(List.of(0), orders.primaryKey());
        List<ColumnSchema> c = orders.columns();
        assertEquals(new ColumnSchema("id", "bigint", "bigint(20) unsigned", true, false, null, "auto_increment",
                null, 0, List.of(), ""), c.get(0));
        assertEquals(new ColumnSchema("customer", "varchar", "varchar(40)", false, false, null, "",
                "utf8mb4_unicode_ci", 224, List.of(), "who"), c.get(1), "the table's collation");
        assertEquals(new ColumnSchema("note", "text", "text", false, true, null, "", "latin1_swedish_ci", 8,
                List.of(), ""), c.get(2), "the charset's default collation");
        assertEquals(new ColumnSchema("state", "enum", "enum('new','paid','it''s')", false, false, "new", "",
                "utf8mb4_bin", 46, List.of("new", "paid", "it's"), ""), c.get(3));
        assertEquals("decimal(10,2)", c.get(4).columnType());
        assertEquals("0.00", c.get(4).defaultValue());
        assertEquals("current_timestamp()", c.get(5).defaultValue());
        assertEquals("on update current_timestamp()", c.get(5).extra());
        assertTrue(orders.createTable().startsWith("CREATE TABLE `orders`"), orders.createTable());
        assertTrue(orders.createTable().contains("by_customer"), orders.createTable());
        assertFalse(orders.createTable().contains("AUTO_INCREMENT ="), orders.createTable());
        assertEquals(List.of(orders), history.tables("shop"));
        assertEquals(List.of(), history.tables("empty"));
    }

    @Test
    void ddlSequenceChangesTablesAtTheirCts() throws Exception {
        bootstrap();
        history.apply(200, "shop", "ALTER TABLE orders ADD COLUMN paid_at datetime(6) NULL AFTER state,"
                + " DROP COLUMN note, MODIFY customer varchar(80) NOT NULL");
        TableSchema v200 = history.table("shop", "orders");
        assertEquals(200, v200.version());
        assertEquals(List.of("id", "customer", "state", "paid_at", "amount", "created"), names(v200));
        assertEquals("varchar(80)", v200.columns().get(1).columnType());
        assertEquals("utf8mb4_unicode_ci", v200.columns().get(1).collation(), "a modified column inherits again");

        history.apply(300, "", "CREATE TABLE shop.items (order_id BIGINT UNSIGNED, line INT NOT NULL,"
                + " sku VARCHAR(20) CHARACTER SET latin1 COLLATE latin1_bin, flag BOOLEAN,"
                + " PRIMARY KEY (order_id, line))");
        TableSchema items = history.table("shop", "items");
        assertEquals(List.of(0, 1), items.primaryKey());
        assertEquals("bigint(20) unsigned", items.columns().get(0).columnType());
        assertFalse(items.columns().get(0).nullable(), "primary key columns are NOT NULL");
        assertEquals("int(11)", items.columns().get(1).columnType());
        assertEquals("latin1_bin", items.columns().get(2).collation());
        assertEquals(47, items.columns().get(2).collationId());
        assertEquals("tinyint(1)", items.columns().get(3).columnType());

        history.apply(400, "shop", "ALTER TABLE items CHANGE sku article VARCHAR(30), DROP PRIMARY KEY,"
                + " ADD PRIMARY KEY (line)");
        assertEquals(List.of(1), history.table("shop", "items").primaryKey());
        assertEquals("article", history.table("shop", "items").columns().get(2).name());
        assertEquals("utf8mb4_general_ci", history.table("shop", "items").columns().get(2).collation(),
                "a table created by DDL inherits the database's collation");

        history.apply(500, "shop", "RENAME TABLE items TO lines");
        assertNull(history.table("shop", "items"));
        assertEquals(500, history.table("shop", "lines").version());

        history.apply(600, "shop", "TRUNCATE TABLE lines");
        assertEquals(500, history.table("shop", "lines").version(), "TRUNCATE changes no definition");
        history.apply(700, "shop", "DROP TABLE lines");
        assertNull(history.table("shop", "lines"));

        // every old cts still answers with the version of its time
        assertEquals(100, history.table("shop", "orders", 199).version());
        assertEquals(6, history.table("shop", "orders", 150).columns().size());
        assertEquals(200, history.table("shop", "orders", 200).version());
        assertNull(history.table("shop", "items", 299));
        assertEquals(300, history.table("shop", "items", 450 - 51).version());
        assertEquals(400, history.table("shop", "items", 499).version());
        assertNull(history.table("shop", "items", 500));
        assertEquals(500, history.table("shop", "lines", 699).version());
        assertEquals(List.of("items", "orders"), history.tables("shop", 350).stream().map(TableSchema::table)
                .toList());
        assertNull(history.table("shop", "orders", 50), "nothing before the first-start cut");
    }

    @Test
    void indexesDatabasesAndLike() throws Exception {
        bootstrap();
        history.apply(200, "", "CREATE DATABASE logs CHARACTER SET latin1");
        history.apply(210, "logs", "CREATE TABLE t (a INT, b CHAR)");
        assertEquals("latin1_swedish_ci", history.table("logs", "t").columns().get(1).collation());
        assertEquals("char(1)", history.table("logs", "t").columns().get(1).columnType());
        history.apply(220, "logs", "CREATE UNIQUE INDEX ua ON t (a)");
        assertTrue(history.table("logs", "t").createTable().contains("ua"), history.table("logs", "t").createTable());
        history.apply(230, "logs", "DROP INDEX ua ON t");
        assertFalse(history.table("logs", "t").createTable().contains("ua"));
        history.apply(240, "logs", "ALTER TABLE t ADD PRIMARY KEY (a), ADD INDEX ib (b)");
        assertEquals(List.of(0), history.table("logs", "t").primaryKey());
        history.apply(250, "logs", "CREATE TABLE t2 LIKE t");
        assertEquals(history.table("logs", "t").columns(), history.table("logs", "t2").columns());
        assertEquals(List.of(0), history.table("logs", "t2").primaryKey());
        history.apply(260, "", "ALTER DATABASE logs CHARACTER SET utf8mb4");
        history.apply(270, "logs", "CREATE TABLE t3 (c TEXT)");
        assertEquals("utf8mb4_general_ci", history.table("logs", "t3").columns().get(0).collation());
        assertEquals("latin1_swedish_ci", history.table("logs", "t").columns().get(1).collation(),
                "existing tables keep the collation they were created with");
        history.apply(280, "", "CREATE DATABASE IF NOT EXISTS logs");
        history.apply(290, "logs", "CREATE TABLE IF NOT EXISTS t (x int)");
        assertEquals(240, history.table("logs", "t").version(), "IF NOT EXISTS leaves the table as it is");

        history.apply(300, "", "DROP DATABASE logs");
        assertEquals(List.of("empty", "shop"), history.databases());
        assertNull(history.table("logs", "t"));
        assertEquals(List.of(), history.tables("logs"));
        assertEquals(List.of("empty", "logs", "shop"), history.databases(299));
        assertEquals(3, history.tables("logs", 299).size());
    }

    @Test
    void charsetChangesFollowMysqlInheritance() throws Exception {
        bootstrap();
        history.apply(200, "shop", "CREATE TABLE t (a varchar(3), k enum('x','y'), n int) COMMENT 'first'");
        assertEquals(List.of("utf8mb4_general_ci", "utf8mb4_general_ci"), collations("t").subList(0, 2));
        history.apply(210, "shop", "ALTER TABLE t DEFAULT CHARACTER SET latin1");
        history.apply(220, "shop", "ALTER TABLE t ADD b varchar(4)");
        assertEquals("utf8mb4_general_ci", collations("t").get(0), "existing columns keep their collation");
        assertEquals("latin1_swedish_ci", collations("t").get(3), "new columns take the table's new default");
        history.apply(230, "shop", "ALTER TABLE t COLLATE utf8mb4_bin, ADD c text, COMMENT 'second'");
        assertEquals("utf8mb4_bin", collations("t").get(4));
        history.apply(240, "shop", "ALTER TABLE t CONVERT TO CHARACTER SET latin1 COLLATE latin1_bin");
        assertEquals(Arrays.asList("latin1_bin", "latin1_bin", null, "latin1_bin", "latin1_bin"), collations("t"));
        String create = history.table("shop", "t").createTable();
        assertTrue(create.contains("COMMENT 'second'") && !create.contains("first"), create);
        assertTrue(create.contains("COLLATE = latin1_bin"), create);
    }

    private List<String> collations(String table) {
        return history.table("shop", table).columns().stream().map(ColumnSchema::collation).toList();
    }

    @Test
    void commonAlterFormsKeepAHistoryThatReadsBack() throws Exception {
        bootstrap();
        history.apply(200, "shop", "CREATE TABLE u (b INT PRIMARY KEY)");
        history.apply(210, "shop", "CREATE TABLE t (a INT NOT NULL, b INT, KEY kb (b)) ENGINE=InnoDB"
                + " ROW_FORMAT=DYNAMIC PARTITION BY HASH(a) PARTITIONS 4");
        history.apply(220, "shop", "ALTER TABLE t ALGORITHM=INPLACE, LOCK=NONE, ADD y INT");
        history.apply(230, "shop", "/* gbinlog ddl_id=5 */ ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (b)"
                + " REFERENCES u (b), ADD COLUMN w INT AFTER a, ADD `v` VARCHAR(3) FIRST, RENAME INDEX kb TO kc");
        history.apply(240, "shop", "ALTER TABLE t DROP FOREIGN KEY fk, DROP COLUMN IF EXISTS y");
        assertEquals(List.of("v", "a", "w", "b"), names(history.table("shop", "t")));
        assertFalse(history.table("shop", "t").createTable().contains("ALGORITHM"));
        assertFalse(history.table("shop", "t").createTable().contains("PARTITION"), "a shard's layout");
        history.close();
        history = SchemaHistory.open(dir);
        assertEquals(List.of("v", "a", "w", "b"), names(history.table("shop", "t")));
        history.apply(250, "shop", "DROP TABLE t, u");
        assertEquals(List.of("orders"), history.tables("shop").stream().map(TableSchema::table).toList());
    }

    @Test
    void aDdlThatCannotBeAppliedChangesNothing() throws Exception {
        bootstrap();
        SchemaException e = assertThrows(SchemaException.class,
                () -> history.apply(200, "shop", "ALTER TABLE orders ADD COLUMN ((("));
        assertTrue(e.getMessage().contains("ALTER TABLE orders ADD COLUMN ((("), e.getMessage());
        e = assertThrows(SchemaException.class, () -> history.apply(200, "shop", "ALTER TABLE nope ADD x INT"));
        assertTrue(e.getMessage().contains("shop.nope"), e.getMessage());
        e = assertThrows(SchemaException.class, () -> history.apply(200, "", "CREATE TABLE t (a INT)"));
        assertTrue(e.getMessage().contains("no database selected"), e.getMessage());
        // a statement list is all or nothing: the first statement's change is undone with the failing second
        assertThrows(SchemaException.class, () -> history.apply(200, "shop",
                "ALTER TABLE orders ADD COLUMN x INT; ALTER TABLE nope ADD y INT"));
        assertEquals(100, history.lastCts());
        assertEquals(6, history.table("shop", "orders").columns().size());
        history.apply(200, "shop", "ALTER TABLE orders ADD COLUMN z INT");
        assertEquals(List.of("id", "customer", "note", "state", "amount", "created", "z"),
                names(history.table("shop", "orders")));
        assertThrows(IllegalArgumentException.class, () -> history.apply(150, "shop", "DROP TABLE orders"));
        // MariaDB syntax druid does not know
        e = assertThrows(SchemaException.class,
                () -> history.apply(300, "shop", "ALTER TABLE orders ADD COLUMN IF NOT EXISTS z INT"));
        assertTrue(e.getMessage().contains("in: ALTER TABLE orders ADD COLUMN IF NOT EXISTS z INT"), e.getMessage());
    }

    @Test
    void reopeningGivesTheSameAnswers() throws Exception {
        bootstrap();
        history.apply(200, "shop", "ALTER TABLE orders DROP COLUMN note");
        history.apply(300, "", "CREATE DATABASE logs");
        history.apply(300, "logs", "CREATE TABLE t (a INT PRIMARY KEY, b VARCHAR(5))");
        TableSchema orders = history.table("shop", "orders");
        TableSchema t = history.table("logs", "t");
        TableSchema old = history.table("shop", "orders", 150);
        history.close();

        history = SchemaHistory.open(dir);
        assertFalse(history.isEmpty());
        assertEquals(300, history.lastCts());
        assertEquals(orders, history.table("shop", "orders"));
        assertEquals(t, history.table("logs", "t"));
        assertEquals(List.of(0), t.primaryKey());
        assertEquals(old, history.table("shop", "orders", 150));
        assertEquals(List.of("empty", "logs", "shop"), history.databases());
        // and DDL keeps working on the reloaded state
        history.apply(400, "logs", "ALTER TABLE t ADD c INT");
        assertEquals(3, history.table("logs", "t").columns().size());
        assertEquals("latin1_swedish_ci", history.table("logs", "t").columns().get(1).collation());
    }

    @Test
    void forgetAfterDropsNewerVersionsAcrossReopen() throws Exception {
        bootstrap();
        history.apply(200, "shop", "ALTER TABLE orders DROP COLUMN note");
        history.apply(300, "shop", "CREATE TABLE t (a INT)");
        history.apply(400, "shop", "DROP TABLE orders");
        history.forgetAfter(250);
        assertEquals(250, history.lastCts());
        assertNull(history.table("shop", "t"));
        assertNotNull(history.table("shop", "orders"));
        assertEquals(200, history.table("shop", "orders").version());
        history.close();
        history = SchemaHistory.open(dir);
        assertEquals(250, history.lastCts());
        assertNull(history.table("shop", "t"));
        assertNull(history.table("shop", "t", 350));
        assertEquals(200, history.table("shop", "orders", 450).version());
        // the DDLs after the checkpoint are read again and applied again
        history.apply(300, "shop", "CREATE TABLE t (a INT)");
        assertEquals(300, history.table("shop", "t").version());
    }

    private static List<String> names(TableSchema table) {
        return table.columns().stream().map(ColumnSchema::name).toList();
    }
}
