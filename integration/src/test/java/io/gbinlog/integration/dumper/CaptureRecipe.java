package io.gbinlog.integration.dumper;

import io.gbinlog.dumper.fixture.SourceTransactions;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * The recipe of the dumper's captured source binlog ({@link SourceTransactions}): the shop schema and a random mix
 * of row transactions over it (ints, decimals, doubles, datetimes, varchar with non-Latin text, text and blobs,
 * NULLs, multi-statement transactions, multi-row inserts that MariaDB splits over several row events, updates,
 * deletes, two tables), and the rendering of a table's rows that the capture's tables file holds.
 */
final class CaptureRecipe {

    /** The seed the committed capture was made with. */
    static final long SEED = 20251121L;
    /** Rows of the statement that MariaDB must split: more than one row event holds (8 KB). */
    private static final int LARGE_INSERT_ROWS = 40;

    private final Random random;
    private final List<Integer> orders = new ArrayList<>();
    private int nextOrder = 1;
    private long nextItem = 1;

    private CaptureRecipe(Random random) {
        this.random = random;
    }

    /** CREATE DATABASE shop and its tables, created with shop as the default database. */
    static void createSchema(Statement s) throws Exception {
        s.execute("CREATE DATABASE " + SourceTransactions.DB);
        s.execute("USE " + SourceTransactions.DB);
        s.execute("CREATE TABLE orders (id INT PRIMARY KEY, customer VARCHAR(64), amount DECIMAL(12,2), note TEXT,"
                + " created DATETIME(6), qty BIGINT, ratio DOUBLE) DEFAULT CHARSET=utf8mb4");
        s.execute("CREATE TABLE items (id BIGINT PRIMARY KEY, payload BLOB, label VARCHAR(20), flag TINYINT, d DATE)"
                + " DEFAULT CHARSET=utf8mb4");
    }

    /** 240 transactions, a third of them explicit with up to four statements, the rest autocommit. */
    static void run(Connection c, Statement s, Random random) throws Exception {
        new CaptureRecipe(random).run(c, s);
    }

    private void run(Connection c, Statement s) throws Exception {
        for (int t = 0; t < 240; t++) {
            boolean explicit = random.nextInt(3) == 0;
            if (explicit) {
                c.setAutoCommit(false);
            }
            int statements = explicit ? 1 + random.nextInt(4) : 1;
            if (t % 80 == 40) {
                s.execute(insertItems(LARGE_INSERT_ROWS, 300));
            }
            for (int k = 0; k < statements; k++) {
                int kind = orders.size() < 5 ? 0 : random.nextInt(6);
                switch (kind) {
                    case 0, 1 -> {
                        int id = nextOrder++;
                        orders.add(id);
                        s.execute("/* sql_id=ins." + id + " */ INSERT INTO shop.orders VALUES (" + id + ", 'cust-"
                                + random.nextInt(1000) + " \u00e9\u4e2d\ud83d\ude00', " + random.nextInt(100000) / 100.0
                                + ", " + (random.nextBoolean() ? "NULL" : "'note " + t + "'")
                                + ", '2025-0" + (1 + random.nextInt(9)) + "-1" + random.nextInt(10) + " 12:34:56."
                                + random.nextInt(1000000) + "', " + (random.nextLong() >> 8) + ", " + random.nextDouble() + ")");
                    }
                    case 2 -> s.execute("UPDATE shop.orders SET amount = amount + 1, note = 'upd " + t + "' WHERE id = "
                            + orders.get(random.nextInt(orders.size())));
                    case 3 -> s.execute("DELETE FROM shop.orders WHERE id = " + orders.remove(random.nextInt(orders.size())));
                    case 4 -> s.execute(insertItems(1 + random.nextInt(4), random.nextInt(100)));
                    default -> s.execute("UPDATE shop.items SET flag = flag DIV 2, label = 'u" + t + "' WHERE id % 7 = "
                            + random.nextInt(7) + " AND id > " + (nextItem - 20));
                }
            }
            if (explicit) {
                c.commit();
                c.setAutoCommit(true);
            }
        }
    }

    /**
     * One multi-row INSERT of blobs of up to {@code maxPayload} bytes, one in ten NULL. The server makes each blob
     * from a random seed, so that the statement's text (logged whole in its annotate event) stays short.
     */
    private String insertItems(int rows, int maxPayload) {
        StringBuilder sql = new StringBuilder("INSERT INTO shop.items VALUES ");
        for (int r = 0; r < rows; r++) {
            int length = maxPayload - random.nextInt(maxPayload / 5 + 1);
            String blob = random.nextInt(10) == 0 ? "NULL" : "LEFT(UNHEX(REPEAT(SHA2('" + random.nextLong() + "', 256), "
                    + (length / 32 + 1) + ")), " + length + ")";
            sql.append(r == 0 ? "" : ",").append('(').append(nextItem++).append(", ").append(blob).append(", 'l")
                    .append(r).append("', ").append(random.nextInt(256) - 128).append(", '2024-02-29')");
        }
        return sql.toString();
    }

    /** The rows of {@code db.table}, primary-key order, one text line each (equal lists: equal tables). */
    static List<String> rows(Connection c, String db, String table) throws Exception {
        List<String> rows = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT * FROM `" + db + "`.`" + table
                + "` ORDER BY id")) {
            ResultSetMetaData meta = r.getMetaData();
            while (r.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    boolean binary = switch (meta.getColumnType(i)) {
                        case Types.BLOB, Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY -> true;
                        default -> false;
                    };
                    String value = binary ? (r.getBytes(i) == null ? null : HexFormat.of().formatHex(r.getBytes(i)))
                            : r.getString(i);
                    row.append(i > 1 ? "|" : "").append(value == null ? "NULL" : value);
                }
                rows.add(row.toString());
            }
        }
        return rows;
    }
}
