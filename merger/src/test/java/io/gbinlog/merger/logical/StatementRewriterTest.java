package io.gbinlog.merger.logical;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatementRewriterTest {
    private static final Pattern SHARD_DB = Pattern.compile("shop_p[0-9]+");
    private static final Pattern SHARD_TABLE = Pattern.compile("orders_[0-9]+");

    /** shop_p{n}.orders_{n} -> shop.orders, shop_p{n}.* -> shop.*, the rest as is. */
    private static final StatementRewriter.Mapping MAPPING = new StatementRewriter.Mapping() {
        @Override
        public String db(String db, String table) {
            return SHARD_DB.matcher(db).matches() ? "shop" : db;
        }

        @Override
        public String table(String db, String table) {
            return SHARD_DB.matcher(db).matches() && SHARD_TABLE.matcher(table).matches() ? "orders" : table;
        }
    };

    private static String rewrite(String sql, String... tables) {
        StatementRewriter r = new StatementRewriter(MAPPING);
        r.clearTables();
        for (String t : tables) {
            String[] parts = t.split("\\.");
            r.addTable(parts[0], parts[1]);
        }
        byte[] text = ("xx" + sql + "yy").getBytes(StandardCharsets.UTF_8);
        if (!r.rewrite(text, 2, text.length - 4)) {
            return sql;
        }
        return new String(r.output(), 0, r.outputLength(), StandardCharsets.UTF_8);
    }

    @Test
    void qualifiedNamesAreMapped() {
        assertEquals("/* sql_id=a1 */ INSERT INTO shop.orders VALUES (1, 'x')",
                rewrite("/* sql_id=a1 */ INSERT INTO shop_p0.orders_00 VALUES (1, 'x')", "shop_p0.orders_00"));
        assertEquals("UPDATE `shop`.`orders` SET amount = 2 WHERE `shop`.`orders`.id = 3",
                rewrite("UPDATE `shop_p1`.`orders_03` SET amount = 2 WHERE `shop_p1`.`orders_03`.id = 3"));
        assertEquals("DELETE FROM shop.customers WHERE id = 1",
                rewrite("DELETE FROM shop_p2.customers WHERE id = 1"), "a schema rule keeps the table name");
    }

    @Test
    void unqualifiedNamesOfTheStatementsTablesAreMapped() {
        assertEquals("UPDATE orders SET amount = orders.amount + 1 WHERE id = 7",
                rewrite("UPDATE orders_01 SET amount = orders_01.amount + 1 WHERE id = 7", "shop_p0.orders_01"));
        assertEquals("UPDATE `orders` o JOIN other.orders_01 x ON o.id = x.id SET o.amount = 1",
                rewrite("UPDATE `orders_01` o JOIN other.orders_01 x ON o.id = x.id SET o.amount = 1",
                        "shop_p0.orders_01"), "another schema's table of the same name is not a shard");
        assertEquals("INSERT INTO orders_01 VALUES (1)", rewrite("INSERT INTO orders_01 VALUES (1)"),
                "no table map names it: it is not known to be a shard");
    }

    @Test
    void stringsCommentsAndVariablesAreKept() {
        String sql = "/* sql_id=x:1 shop_p0.orders_00 */ INSERT INTO shop_p0.orders_00 (note, id) VALUES "
                + "('shop_p0.orders_00 \\' orders_00', \"orders_00\") # orders_00\n"
                + "-- shop_p0.orders_00\n ON DUPLICATE KEY UPDATE note = @orders_00, id = @@session.orders_00";
        String expected = sql.replace("INTO shop_p0.orders_00", "INTO shop.orders");
        assertEquals(expected, rewrite(sql, "shop_p0.orders_00"));
        assertEquals("SELECT /*+ NO_INDEX(orders idx) */ 1 FROM orders /*!50100 JOIN orders */",
                rewrite("SELECT /*+ NO_INDEX(orders_00 idx) */ 1 FROM orders_00 /*!50100 JOIN orders_00 */",
                        "shop_p0.orders_00"), "hints and versioned comments are code");
    }

    @Test
    void numbersAreNotNames() {
        assertEquals("UPDATE shop.orders SET ratio = 1.5e3, x = 0x1F WHERE id IN (1.25, 3)",
                rewrite("UPDATE shop_p9.orders_9 SET ratio = 1.5e3, x = 0x1F WHERE id IN (1.25, 3)"));
    }

    @Test
    void binaryBytesInStringsSurviveAndNothingChangedSaysSo() {
        byte[] text = new byte[] {'I', 'N', 'S', 'E', 'R', 'T', ' ', 's', 'h', 'o', 'p', '_', 'p', '1', '.', 'o', 'r',
                'd', 'e', 'r', 's', '_', '2', ' ', '\'', (byte) 0xff, (byte) 0xc3, '\\', '\'', 0, '\''};
        StatementRewriter r = new StatementRewriter(MAPPING);
        assertTrue(r.rewrite(text, 0, text.length));
        byte[] out = Arrays.copyOf(r.output(), r.outputLength());
        byte[] expected = new byte[text.length - 5];
        System.arraycopy("INSERT shop.orders".getBytes(StandardCharsets.US_ASCII), 0, expected, 0, 18);
        System.arraycopy(text, 23, expected, 18, text.length - 23);
        assertArrayEquals(expected, out);
        assertFalse(r.rewrite(text, 23, text.length - 23), "the string alone holds no name");
    }

    @Test
    void logicalNamesThatNeedQuotesGetThem() {
        StatementRewriter r = new StatementRewriter(new StatementRewriter.Mapping() {
            @Override
            public String db(String db, String table) {
                return db.equals("a") ? "my db" : db;
            }

            @Override
            public String table(String db, String table) {
                return db.equals("a") ? "t`1" : table;
            }
        });
        byte[] text = "DELETE FROM a.b".getBytes(StandardCharsets.UTF_8);
        assertTrue(r.rewrite(text, 0, text.length));
        assertEquals("DELETE FROM `my db`.`t``1`", new String(r.output(), 0, r.outputLength(), StandardCharsets.UTF_8));
    }
}
