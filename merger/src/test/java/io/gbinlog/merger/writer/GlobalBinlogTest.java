package io.gbinlog.merger.writer;

import com.github.shyiko.mysql.binlog.BinaryLogFileReader;
import com.github.shyiko.mysql.binlog.event.DeleteRowsEventData;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventData;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.GtidEventData;
import com.github.shyiko.mysql.binlog.event.PreviousGtidSetEventData;
import com.github.shyiko.mysql.binlog.event.RotateEventData;
import com.github.shyiko.mysql.binlog.event.UpdateRowsEventData;
import com.github.shyiko.mysql.binlog.event.WriteRowsEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.ChecksumType;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writes a few hundred transactions whose row events come from a real MariaDB binlog into the global binlog,
 * then reads the files back with mysql-binlog-connector-java and mariadb-binlog and replays them into MariaDB.
 * The workload is random: the seed is printed and can be set with -Dgbinlog.seed=N.
 */
class GlobalBinlogTest {
    static final UUID CLUSTER = UUID.fromString("8d1f0f8e-3c7a-4e55-9c2b-6a1b2c3d4e5f");
    static final long START_MILLIS = 1_760_000_000_000L;
    private static final String ORDERS = "(id INT PRIMARY KEY, customer VARCHAR(64), amount DECIMAL(12,2), note TEXT,"
            + " created DATETIME(6), qty BIGINT, ratio DOUBLE) DEFAULT CHARSET=utf8mb4";
    private static final String ITEMS = "(id BIGINT PRIMARY KEY, payload BLOB, label VARCHAR(20), flag TINYINT,"
            + " d DATE) DEFAULT CHARSET=utf8mb4";
    private static final Map<String, Long> TABLE_IDS = Map.of("shop.orders", 101L, "shop.items", 102L);
    private static final byte[] GLOBAL_DB = "shop_global".getBytes(StandardCharsets.UTF_8);

    @TempDir
    static Path serverDir;
    static ThrowawayMariaDb mariadb;
    static List<List<MariaDbTransactions.RawEvent>> source;
    static List<String> sourceRows;

    @BeforeAll
    static void captureRowEventsFromMariaDb() throws Exception {
        long seed = Long.getLong("gbinlog.seed", System.nanoTime());
        System.out.println("GlobalBinlogTest seed: " + seed + " (rerun with -Dgbinlog.seed=" + seed + ")");
        mariadb = ThrowawayMariaDb.start(serverDir);
        try (Connection c = mariadb.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE shop");
            s.execute("CREATE TABLE shop.orders " + ORDERS);
            s.execute("CREATE TABLE shop.items " + ITEMS);
            runWorkload(c, s, new Random(seed));
        }
        source = MariaDbTransactions.read(mariadb.binlogFile());
        sourceRows = rowsOf(List.of(mariadb.binlogFile()));
        assertTrue(source.size() >= 250, "captured " + source.size() + " transactions");
    }

    @AfterAll
    static void stopMariaDb() throws InterruptedException {
        if (mariadb != null) {
            mariadb.close();
        }
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
                                    .append(java.util.HexFormat.of().formatHex(payload)).append("', 'l").append(r)
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
    static List<AppendedTransaction> writeAll(GlobalBinlog log) throws IOException {
        List<AppendedTransaction> appended = new ArrayList<>();
        appended.add(log.appendDdl(cts(0), null, "CREATE DATABASE shop_global"));
        appended.add(log.appendDdl(cts(1), "shop_global", "CREATE TABLE orders " + ORDERS));
        appended.add(log.appendDdl(cts(2), "shop_global", "CREATE TABLE items " + ITEMS));
        for (int i = 0; i < source.size(); i++) {
            appended.add(appendSource(log, cts(3 + i), source.get(i)));
        }
        return appended;
    }

    static AppendedTransaction appendSource(GlobalBinlog log, long cts, List<MariaDbTransactions.RawEvent> events)
            throws IOException {
        long keys = 0;
        for (MariaDbTransactions.RawEvent e : events) {
            if (e.type() == io.gbinlog.protocol.binlog.EventType.TABLE_MAP) {
                keys |= 1L << TABLE_IDS.get(e.tableName());
            }
        }
        return log.appendRows(cts, keys, tx -> {
            long tableId = 0;
            for (MariaDbTransactions.RawEvent e : events) {
                byte[] b = e.body();
                if (e.type() == io.gbinlog.protocol.binlog.EventType.MARIADB_ANNOTATE_ROWS) {
                    tx.rowsQuery(b, 0, b.length);
                } else if (e.type() == io.gbinlog.protocol.binlog.EventType.TABLE_MAP) {
                    tableId = TABLE_IDS.get(e.tableName());
                    tx.tableMap(b, 0, b.length, tableId, GLOBAL_DB, null);
                } else {
                    tx.rows(e.type(), b, 0, b.length, tableId);
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

    @Test
    void connectorReadsEveryFileAndTheRowsAreTheSourceRows(@TempDir Path dir) throws IOException {
        List<AppendedTransaction> appended;
        try (GlobalBinlog log = GlobalBinlog.open(config(dir, 16 * 1024, FsyncPolicy.ON_FLUSH, 1024))) {
            appended = writeAll(log);
            log.flush();
        }
        List<Path> files = binlogFiles(dir);
        assertTrue(files.size() > 3, "rotation happened: " + files);
        assertEquals(rowsOf(files).size(), sourceRows.size());
        assertEquals(sourceRows, rowsOf(files));
        long expectedGno = 1;
        for (int f = 0; f < files.size(); f++) {
            List<Event> events = events(files.get(f));
            assertEquals(EventType.FORMAT_DESCRIPTION, events.get(0).getHeader().getEventType());
            PreviousGtidSetEventData previous = events.get(1).getData();
            assertEquals(expectedGno == 1 ? "" : CLUSTER + ":1-" + (expectedGno - 1), previous.getGtidSet());
            long sequence = 0;
            for (Event e : events) {
                if (e.getData() instanceof GtidEventData g) {
                    assertEquals(CLUSTER + ":" + expectedGno, g.getMySqlGtid().toString(), "GTIDs are gapless");
                    assertEquals(++sequence, g.getSequenceNumber(), "sequence numbers restart in each file");
                    assertTrue(g.getLastCommitted() < g.getSequenceNumber());
                    assertEquals((cts((int) expectedGno - 1) >>> 22) * 1000, g.getImmediateCommitTimestamp());
                    expectedGno++;
                }
            }
            Event last = events.get(events.size() - 1);
            if (f < files.size() - 1) {
                assertEquals(EventType.ROTATE, last.getHeader().getEventType());
                assertEquals(files.get(f + 1).getFileName().toString(), ((RotateEventData) last.getData()).getBinlogFilename());
                assertTrue(Files.size(files.get(f)) >= 16 * 1024, "rotated only once full");
            } else {
                // The newest file ends after its last transaction: rotation waits for the next one.
                assertEquals(EventType.XID, last.getHeader().getEventType());
            }
        }
        assertEquals(appended.size() + 1, expectedGno);
    }

    @Test
    void mariadbBinlogPrintsEveryFileAndReplaysIntoMariaDb(@TempDir Path dir) throws Exception {
        try (GlobalBinlog log = GlobalBinlog.open(config(dir, 32 * 1024, FsyncPolicy.NEVER, 4096))) {
            writeAll(log);
        }
        List<Path> files = binlogFiles(dir);
        StringBuilder paths = new StringBuilder();
        files.forEach(f -> paths.append(' ').append(f));
        Path out = dir.resolve("decoded.txt");
        Path err = dir.resolve("decode-errors.txt");
        ThrowawayMariaDb.run(List.of("sh", "-c", "mariadb-binlog -v" + paths + " > " + out + " 2> " + err),
                dir.resolve("decode.log"));
        assertEquals("", Files.readString(err));
        String decoded = Files.readString(out, StandardCharsets.ISO_8859_1); // blobs print raw
        assertFalse(decoded.contains("WARNING") || decoded.contains("ERROR:"), "mariadb-binlog complained");
        assertTrue(decoded.contains("### INSERT INTO `shop_global`.`orders`"));
        assertTrue(decoded.contains("### UPDATE `shop_global`.`items`"));

        Path replayErr = dir.resolve("replay-errors.txt");
        ThrowawayMariaDb.run(List.of("sh", "-c", "mariadb-binlog" + paths + " | mariadb --no-defaults -uroot --socket="
                + mariadb.socket() + " 2> " + replayErr), dir.resolve("replay.log"));
        assertEquals("", Files.readString(replayErr));
        try (Connection c = mariadb.connect(); Statement s = c.createStatement()) {
            for (String table : List.of("orders", "items")) {
                assertEquals(checksum(s, "shop." + table), checksum(s, "shop_global." + table), table);
            }
            try (ResultSet r = s.executeQuery("SELECT COUNT(*) FROM shop_global.items")) {
                r.next();
                assertTrue(r.getLong(1) > 0);
            }
        }
    }

    private static long checksum(Statement s, String table) throws Exception {
        try (ResultSet r = s.executeQuery("CHECKSUM TABLE " + table)) {
            r.next();
            return r.getLong(2);
        }
    }

    @Test
    void lookupsByGtidAndCtsFindEveryTransactionAlsoWithRebuiltIndexes(@TempDir Path dir) throws IOException {
        List<AppendedTransaction> appended;
        BinlogLogConfig config = config(dir, 8 * 1024, FsyncPolicy.NEVER, 2048);
        try (GlobalBinlog log = GlobalBinlog.open(config)) {
            appended = writeAll(log);
            assertLookups(log, appended);
        }
        try (java.util.stream.Stream<Path> idx = Files.list(dir.resolve("index"))) {
            for (Path p : idx.toList()) {
                Files.delete(p);
            }
        }
        try (GlobalBinlog log = GlobalBinlog.open(config)) {
            assertTrue(log.recoveryReport().indexEntriesAdded() > 0, log.recoveryReport().toString());
            assertEquals(null, log.recoveryReport().cutFile());
            assertLookups(log, appended);
        }
    }

    static void assertLookups(GlobalBinlog log, List<AppendedTransaction> appended) throws IOException {
        Map<Long, BinlogPosition> firstByCts = new HashMap<>();
        for (AppendedTransaction t : appended) {
            assertEquals(t.start(), log.findGno(t.gno()).orElseThrow(), "gno " + t.gno());
            firstByCts.putIfAbsent(t.cts(), t.start());
        }
        for (AppendedTransaction t : appended) {
            assertEquals(firstByCts.get(t.cts()), log.findCts(t.cts()).orElseThrow(), "cts " + t.cts());
        }
        assertEquals(appended.get(0).start(), log.findCts(1).orElseThrow());
        assertTrue(log.findGno(appended.size() + 1).isEmpty());
        assertTrue(log.findCts(appended.get(appended.size() - 1).cts() + 1).isEmpty());
    }

    @Test
    void readerStreamsEveryEventAcrossRotationsAndTailsNewAppends(@TempDir Path dir) throws Exception {
        try (GlobalBinlog log = GlobalBinlog.open(config(dir, 8 * 1024, FsyncPolicy.EVERY_TRANSACTION, 4096))) {
            List<AppendedTransaction> appended = writeAll(log);
            int expected = 0;
            for (Path f : binlogFiles(dir)) {
                expected += events(f).size();
            }
            List<String> seen = new ArrayList<>();
            try (BinlogEventReader reader = log.openReader("binlog.000001", 4)) {
                while (reader.next()) {
                    seen.add(reader.file() + ":" + reader.eventPosition());
                    assertEquals(reader.nextPosition(), reader.eventPosition() + reader.eventSize());
                }
                assertEquals(expected, seen.size());
                assertEquals(log.endPosition(), new BinlogPosition(reader.file(), reader.nextPosition()));

                BinlogPosition end = log.endPosition();
                assertFalse(log.awaitBeyond(end, 10, TimeUnit.MILLISECONDS));
                AppendedTransaction more = log.appendDdl(cts(appended.size() + 5), "shop_global", "DROP TABLE IF EXISTS nothing");
                assertTrue(log.awaitBeyond(end, 10, TimeUnit.SECONDS));
                assertTrue(reader.next());
                assertEquals(more.start(), new BinlogPosition(reader.file(), reader.eventPosition()));
                assertEquals(io.gbinlog.protocol.binlog.EventType.GTID, reader.eventType());
            }
            AppendedTransaction middle = appended.get(appended.size() / 2);
            try (BinlogEventReader reader = log.openReader(middle.start().file(), middle.start().position())) {
                assertTrue(reader.next());
                assertEquals(io.gbinlog.protocol.binlog.EventType.GTID, reader.eventType());
            }
        }
    }
}
