package io.gbinlog.integration.writer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.shyiko.mysql.binlog.BinaryLogFileReader;
import com.github.shyiko.mysql.binlog.event.DeleteRowsEventData;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventData;
import com.github.shyiko.mysql.binlog.event.UpdateRowsEventData;
import com.github.shyiko.mysql.binlog.event.WriteRowsEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.ChecksumType;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import io.gbinlog.collector.capture.BinlogCoordinates;
import io.gbinlog.collector.capture.CaptureListener;
import io.gbinlog.collector.capture.EventGroup;
import io.gbinlog.collector.node.DataNodes;
import io.gbinlog.collector.ordering.Gtrid;
import io.gbinlog.collector.source.BinlogFileCollector;
import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.meta.config.GbinlogConfig;
import io.gbinlog.merger.writer.AppendedTransaction;
import io.gbinlog.merger.writer.BinlogLogConfig;
import io.gbinlog.merger.writer.FsyncPolicy;
import io.gbinlog.merger.writer.GlobalBinlog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The writer tests' source: a seeded workload on one real data node, its transactions captured from the binlog files
 * by the collector's file capture, exactly as the pipeline hands them to the writer; and helpers to write them into
 * a global binlog and read files back with mysql-binlog-connector-java.
 */
final class WriterTesting {

    static final UUID CLUSTER = UUID.fromString("8d1f0f8e-3c7a-4e55-9c2b-6a1b2c3d4e5f");
    static final long START_MILLIS = 1_760_000_000_000L;
    static final String ORDERS = "(id INT PRIMARY KEY, customer VARCHAR(64), amount DECIMAL(12,2), note TEXT,"
            + " created DATETIME(6), qty BIGINT, ratio DOUBLE) DEFAULT CHARSET=utf8mb4";
    static final String ITEMS = "(id BIGINT PRIMARY KEY, payload BLOB, label VARCHAR(20), flag TINYINT,"
            + " d DATE) DEFAULT CHARSET=utf8mb4";
    private static final Map<String, Long> TABLE_IDS = Map.of("shop.orders", 101L, "shop.items", 102L);
    private static final byte[] GLOBAL_DB = "shop_global".getBytes(StandardCharsets.UTF_8);

    /** The captured transactions (payloads of the data node's local commits) and every row of the source binlog. */
    record Source(List<EventGroup> transactions, List<String> rows) {
    }

    private WriterTesting() {
    }

    /** Creates the shop tables on {@code dn}, runs the workload and captures it from the binlog files. */
    static Source capture(DataNode dn) throws Exception {
        long seed = Long.getLong("gbinlog.seed", System.nanoTime());
        System.out.println("writer tests seed: " + seed + " (rerun with -Dgbinlog.seed=" + seed + ")");
        GbinlogConfig.DataNode node = new GbinlogConfig.DataNode(dn.id(), dn.host(), dn.port(), dn.user(), dn.password());
        BinlogCoordinates start;
        try (Connection c = dn.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE shop");
            s.execute("CREATE TABLE shop.orders " + ORDERS);
            s.execute("CREATE TABLE shop.items " + ITEMS);
            start = DataNodes.masterStatus(c, node);
            runWorkload(c, s, new Random(seed));
        }
        List<EventGroup> transactions = new ArrayList<>();
        BinlogFileCollector.read(dn.binlogFiles(), start, 0, dn.id(), new CaptureListener() {
            @Override
            public void localCommit(int stream, long position, EventGroup payload) {
                transactions.add(payload);
            }

            @Override
            public void prepared(int stream, long position, Gtrid gtrid, EventGroup payload) {
                throw new AssertionError("no XA in this workload");
            }

            @Override
            public void committed(int stream, long position, Gtrid gtrid) {
                throw new AssertionError("no XA in this workload");
            }

            @Override
            public void rolledBack(int stream, long position, Gtrid gtrid) {
                throw new AssertionError("no XA in this workload");
            }

            @Override
            public void commitLogRow(int stream, long position, Gtrid gtrid, long cts, List<String> participants) {
                throw new AssertionError("no commit_log rows in this workload");
            }

            @Override
            public void probeReached(int stream, long tso) {
            }
        });
        assertTrue(transactions.size() >= 250, "captured " + transactions.size() + " transactions");
        return new Source(transactions, rowsOf(dn.binlogFiles()));
    }

    private static void runWorkload(Connection c, Statement s, Random random) throws Exception {
        List<Integer> orders = new ArrayList<>();
        int nextOrder = 1;
        long nextItem = 1;
        for (int t = 0; t < 300; t++) {
            boolean explicit = random.nextInt(3) == 0;
            if (explicit) {
                c.setAutoCommit(false);
            }
            int statements = explicit ? 1 + random.nextInt(4) : 1;
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
                    case 4 -> {
                        // Many rows in one statement: MariaDB splits them over several row events.
                        StringBuilder sql = new StringBuilder("INSERT INTO shop.items VALUES ");
                        int rows = 1 + random.nextInt(random.nextInt(10) == 0 ? 60 : 4);
                        for (int r = 0; r < rows; r++) {
                            byte[] payload = new byte[random.nextInt(600)];
                            random.nextBytes(payload);
                            sql.append(r == 0 ? "" : ",").append('(').append(nextItem++).append(", x'")
                                    .append(HexFormat.of().formatHex(payload)).append("', 'l").append(r)
                                    .append("', ").append(random.nextInt(256) - 128).append(", '2024-02-29')");
                        }
                        s.execute(sql.toString());
                    }
                    default -> s.execute("UPDATE shop.items SET flag = flag DIV 2, label = 'u" + t + "' WHERE id % 7 = "
                            + random.nextInt(7));
                }
            }
            if (explicit) {
                c.commit();
                c.setAutoCommit(true);
            }
        }
    }

    static BinlogLogConfig config(Path dir, long maxFileSize, FsyncPolicy policy, int indexInterval) {
        return new BinlogLogConfig(dir, maxFileSize, policy, indexInterval, 77, CLUSTER);
    }

    static long cts(int i) {
        return (START_MILLIS + i / 3) << 22 | (i % 3 == 2 ? 1 : i % 3); // some ties: the index must handle them
    }

    /** The schema DDLs and every captured transaction, with logical db name shop_global. */
    static List<AppendedTransaction> writeAll(GlobalBinlog log, List<EventGroup> source) throws IOException {
        List<AppendedTransaction> appended = new ArrayList<>();
        appended.add(log.appendDdl(cts(0), null, "CREATE DATABASE shop_global"));
        appended.add(log.appendDdl(cts(1), "shop_global", "CREATE TABLE orders " + ORDERS));
        appended.add(log.appendDdl(cts(2), "shop_global", "CREATE TABLE items " + ITEMS));
        for (int i = 0; i < source.size(); i++) {
            appended.add(appendSource(log, cts(3 + i), source.get(i)));
        }
        return appended;
    }

    static AppendedTransaction appendSource(GlobalBinlog log, long cts, EventGroup g) throws IOException {
        long keys = 0;
        for (int i = 0; i < g.size(); i++) {
            if (g.isTableMap(i)) {
                keys |= 1L << TABLE_IDS.get(g.database(i) + "." + g.table(i));
            }
        }
        return log.appendRows(cts, keys, tx -> {
            long tableId = 0;
            for (int i = 0; i < g.size(); i++) {
                if (g.isRowsQuery(i)) {
                    tx.rowsQuery(g.buffer(), g.textOffset(i), g.textLength(i));
                } else if (g.isTableMap(i)) {
                    tableId = TABLE_IDS.get(g.database(i) + "." + g.table(i));
                    tx.tableMap(g.buffer(), g.offset(i), g.length(i), tableId, GLOBAL_DB, null);
                } else {
                    tx.rows(g.type(i), g.buffer(), g.offset(i), g.length(i), tableId);
                }
            }
        });
    }

    static List<Path> binlogFiles(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("binlog.index"))) {
            assertTrue(line.startsWith("./binlog."), line);
            files.add(dir.resolve(line.substring(2)));
        }
        return files;
    }

    static List<Event> events(Path file) throws IOException {
        EventDeserializer deserializer = new EventDeserializer();
        deserializer.setChecksumType(ChecksumType.CRC32);
        deserializer.setCompatibilityMode(EventDeserializer.CompatibilityMode.CHAR_AND_BINARY_AS_BYTE_ARRAY);
        List<Event> events = new ArrayList<>();
        try (BinaryLogFileReader reader = new BinaryLogFileReader(file.toFile(), deserializer)) {
            for (Event e = reader.readEvent(); e != null; e = reader.readEvent()) {
                events.add(e);
            }
        }
        return events;
    }

    /** Every row of every row event, decoded, as text: equal lists mean equal row images. */
    static List<String> rowsOf(List<Path> files) throws IOException {
        List<String> rows = new ArrayList<>();
        for (Path f : files) {
            for (Event e : events(f)) {
                EventData d = e.getData();
                if (d instanceof WriteRowsEventData w) {
                    w.getRows().forEach(r -> rows.add("insert " + Arrays.deepToString(r)));
                } else if (d instanceof UpdateRowsEventData u) {
                    u.getRows().forEach(r -> rows.add("update " + Arrays.deepToString(r.getKey()) + " -> "
                            + Arrays.deepToString(r.getValue())));
                } else if (d instanceof DeleteRowsEventData del) {
                    del.getRows().forEach(r -> rows.add("delete " + Arrays.deepToString(r)));
                }
            }
        }
        return rows;
    }

    /** Runs a shell command; it must succeed. */
    static void shell(String command, Path log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-o", "pipefail", "-c", command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(command + " did not finish in 120 s");
        }
        assertEquals(0, p.exitValue(), () -> command + " failed: " + readQuietly(log));
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }
}
