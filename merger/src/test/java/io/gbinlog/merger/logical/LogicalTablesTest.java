package io.gbinlog.merger.logical;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.github.shyiko.mysql.binlog.BinaryLogFileReader;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventData;
import com.github.shyiko.mysql.binlog.event.RowsQueryEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventMetadata;
import com.github.shyiko.mysql.binlog.event.WriteRowsEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.ChecksumType;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import io.gbinlog.collector.capture.BinlogCoordinates;
import io.gbinlog.collector.capture.CaptureListener;
import io.gbinlog.collector.capture.EventGroup;
import io.gbinlog.collector.source.BinlogFileCollector;
import io.gbinlog.collector.ordering.Gtrid;
import io.gbinlog.meta.schema.Collation;
import io.gbinlog.meta.schema.NameMapping;
import io.gbinlog.meta.schema.SchemaHistory;
import io.gbinlog.meta.schema.SchemaSnapshot;
import io.gbinlog.protocol.binlog.EventBuffer;
import io.gbinlog.protocol.binlog.EventHeader;
import io.gbinlog.protocol.binlog.FormatDescriptionEventEncoder;
import io.gbinlog.protocol.binlog.TransactionEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writes the row transactions of a real MariaDB binlog of shard tables (mariadb-10.11-shards/README.md) under their
 * logical names, with a schema history that changes between them, and reads the result with
 * mysql-binlog-connector-java.
 */
class LogicalTablesTest {
    private static final UUID CLUSTER = UUID.fromString("3e11fa47-71ca-11e1-9e33-c80aa9429562");
    private static final long BOOTSTRAP = 100;
    private static final long ALTER = 200;
    private static final NameMapping NAMES = NameMapping.of(List.of(
            new NameMapping.Rule("shop_p{n}.orders_{n}", "shop.orders"),
            new NameMapping.Rule("shop_p{n}.*", "shop.*")));

    /** ins-1; ins-2 and upd-3; the notes insert; ins-4 (after the ALTER). */
    private static List<EventGroup> transactions;

    @TempDir
    Path dir;
    private SchemaHistory history;
    private final ListAppender<ILoggingEvent> warnings = new ListAppender<>();

    @BeforeAll
    static void capture() throws IOException, URISyntaxException {
        Path file = Path.of(LogicalTablesTest.class.getResource("/mariadb-10.11-shards/mariadb-bin.000001").toURI());
        transactions = new ArrayList<>();
        BinlogFileCollector.read(List.of(file), new BinlogCoordinates("mariadb-bin.000001", 4), 0, "dn0",
                new CaptureListener() {
                    @Override
                    public void localCommit(int stream, long position, EventGroup payload) {
                        if (!payload.isDdl()) {
                            transactions.add(payload);
                        }
                    }

                    @Override
                    public void prepared(int stream, long position, Gtrid gtrid, EventGroup payload) {
                        throw new AssertionError("no XA here");
                    }

                    @Override
                    public void committed(int stream, long position, Gtrid gtrid) {
                        throw new AssertionError("no XA here");
                    }

                    @Override
                    public void rolledBack(int stream, long position, Gtrid gtrid) {
                        throw new AssertionError("no XA here");
                    }

                    @Override
                    public void commitLogRow(int stream, long position, Gtrid gtrid, long cts, List<String> p) {
                        throw new AssertionError("no commit_log here");
                    }

                    @Override
                    public void probeReached(int stream, long tso) {
                    }
                });
        assertEquals(4, transactions.size());
    }

    @BeforeEach
    void history() throws Exception {
        history = SchemaHistory.open(dir);
        List<Collation> collations = List.of(new Collation(8, "latin1_swedish_ci", "latin1", true),
                new Collation(45, "utf8mb4_general_ci", "utf8mb4", true), new Collation(63, "binary", "binary", true));
        history.bootstrap(BOOTSTRAP, new SchemaSnapshot(collations, "utf8mb4_general_ci",
                Map.of("shop", "utf8mb4_general_ci"), List.of(new SchemaSnapshot.Table("shop", "orders",
                "CREATE TABLE `orders` (`id` int(10) unsigned NOT NULL, `customer` varchar(32) DEFAULT NULL,"
                        + " `status` enum('new','paid') DEFAULT NULL, PRIMARY KEY (`id`))"
                        + " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci"))));
        history.apply(ALTER, "shop", "ALTER TABLE orders ADD COLUMN amount DECIMAL(10,2) UNSIGNED");
        warnings.start();
        ((Logger) LoggerFactory.getLogger(LogicalTables.class)).addAppender(warnings);
    }

    @AfterEach
    void close() {
        ((Logger) LoggerFactory.getLogger(LogicalTables.class)).detachAppender(warnings);
        history.close();
    }

    @Test
    void shardsBecomeOneLogicalTableWithTheColumnsOfEachVersion() throws IOException {
        LogicalTables tables = new LogicalTables(NAMES, history);
        List<EventData> events = write(tables, new long[] {110, 120, 130, 210});

        List<TableMapEventData> maps = events.stream().filter(e -> e instanceof TableMapEventData)
                .map(e -> (TableMapEventData) e).toList();
        assertEquals(List.of("shop.orders", "shop.orders", "shop.orders", "shop.notes", "shop.orders"),
                maps.stream().map(m -> m.getDatabase() + "." + m.getTable()).toList());
        long before = maps.get(0).getTableId();
        assertEquals(before, maps.get(1).getTableId(), "both shards, one id");
        assertEquals(before, maps.get(2).getTableId());
        assertNotEquals(before, maps.get(4).getTableId(), "a new version, a new id");
        assertNotEquals(before, maps.get(3).getTableId());

        TableMapEventMetadata old = maps.get(1).getEventMetadata();
        assertEquals(List.of("id", "customer", "status"), old.getColumnNames());
        BitSet unsigned = new BitSet();
        unsigned.set(0);
        assertEquals(unsigned, old.getSignedness());
        assertEquals(45, old.getDefaultCharset().getDefaultCharsetCollation(), "one character column: MySQL's default form");
        assertEquals(45, old.getEnumAndSetDefaultCharset().getDefaultCharsetCollation());
        assertEquals(List.of("new", "paid"), List.of(old.getEnumStrValues().get(0)));
        assertEquals(List.of(0), old.getSimplePrimaryKeys());
        TableMapEventMetadata altered = maps.get(4).getEventMetadata();
        assertEquals(List.of("id", "customer", "status", "amount"), altered.getColumnNames());
        unsigned.set(3);
        assertEquals(unsigned, altered.getSignedness());
        WriteRowsEventData last = (WriteRowsEventData) events.get(events.size() - 1);
        assertEquals(4, last.getRows().get(0).length);

        assertNull(maps.get(3).getEventMetadata(), "the history has no shop.notes");
        assertEquals(1, tables.tableMapsWithoutMetadata());
        assertEquals(1, warnings.list.size());
        assertEquals(Level.WARN, warnings.list.get(0).getLevel());
        assertTrue(warnings.list.get(0).getFormattedMessage().contains("shop_p0.notes"));

        List<String> statements = events.stream().filter(e -> e instanceof RowsQueryEventData)
                .map(e -> ((RowsQueryEventData) e).getQuery()).toList();
        assertEquals(List.of("/* sql_id=ins-1 */ INSERT INTO shop.orders VALUES (1, 'alice', 'new')",
                "/* sql_id=ins-2 */ INSERT INTO shop.orders VALUES (2, 'orders_01 bob', 'paid')",
                "/* sql_id=upd-3 */ UPDATE orders SET status = 'paid' WHERE orders.id = 1",
                "INSERT INTO shop.notes VALUES (1, 'hello')",
                "/* sql_id=ins-4 */ INSERT INTO shop.orders VALUES (3, 'carol', 'new', 9.50)"), statements);
    }

    @Test
    void aTableMapWithAnotherColumnCountIsWrittenWithoutNamesAndReportedOnce() throws IOException {
        LogicalTables tables = new LogicalTables(NAMES, history);
        EventGroup afterAlter = transactions.get(3);
        List<EventData> events = write(tables, List.of(afterAlter, afterAlter), new long[] {150, 160});
        List<TableMapEventData> maps = events.stream().filter(e -> e instanceof TableMapEventData)
                .map(e -> (TableMapEventData) e).toList();
        assertEquals(2, maps.size());
        assertNull(maps.get(0).getEventMetadata());
        assertNull(maps.get(1).getEventMetadata());
        assertEquals("shop.orders", maps.get(0).getDatabase() + "." + maps.get(0).getTable());
        assertEquals(2, tables.tableMapsWithoutMetadata());
        assertEquals(1, warnings.list.size(), "once per table version");
        assertTrue(warnings.list.get(0).getFormattedMessage().contains("4 columns"),
                warnings.list.get(0).getFormattedMessage());
        assertEquals(4, ((WriteRowsEventData) events.get(events.size() - 1)).getRows().get(0).length,
                "the rows are all there");
    }

    @Test
    void identityNamesKeepThePhysicalNamesAndStatements() throws IOException {
        LogicalTables tables = new LogicalTables(NameMapping.identity(), history);
        List<EventData> events = write(tables, List.of(transactions.get(1)), new long[] {120});
        List<TableMapEventData> maps = events.stream().filter(e -> e instanceof TableMapEventData)
                .map(e -> (TableMapEventData) e).toList();
        assertEquals("shop_p0.orders_01", maps.get(0).getDatabase() + "." + maps.get(0).getTable());
        assertNull(maps.get(0).getEventMetadata(), "the history knows shop.orders, not shop_p0.orders_01");
        assertEquals("/* sql_id=upd-3 */ UPDATE orders_00 SET status = 'paid' WHERE orders_00.id = 1",
                events.stream().filter(e -> e instanceof RowsQueryEventData)
                        .map(e -> ((RowsQueryEventData) e).getQuery()).toList().get(1));
    }

    @Test
    void mariadbBinlogShowsTheLogicalTableAndItsColumns() throws Exception {
        Path file = dir.resolve("binlog.000001");
        Files.write(file, file(new LogicalTables(NAMES, history), transactions, new long[] {110, 120, 130, 210}));
        Process p = new ProcessBuilder("mariadb-binlog", "--print-table-metadata", "-v", "--base64-output=decode-rows",
                file.toString()).redirectErrorStream(true).redirectOutput(dir.resolve("out").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "mariadb-binlog finished");
        String out = Files.readString(dir.resolve("out"));
        assertEquals(0, p.exitValue(), out);
        assertFalse(out.contains("shop_p0"), out);
        assertTrue(out.contains("### INSERT INTO `shop`.`orders`"), out);
        assertTrue(out.contains("### UPDATE `shop`.`orders`"), out);
        assertTrue(out.contains("# Columns(`id` INT UNSIGNED NOT NULL,"), out);
        assertTrue(out.contains("`amount` DECIMAL(10,2) UNSIGNED"), out);
        assertTrue(out.contains("# Primary Key(id)"), out);
    }

    private List<EventData> write(LogicalTables tables, long[] cts) throws IOException {
        return write(tables, transactions, cts);
    }

    private static List<EventData> write(LogicalTables tables, List<EventGroup> groups, long[] cts) throws IOException {
        return read(file(tables, groups, cts));
    }

    /** Writes each group as one transaction as the merger's writer does. */
    private static byte[] file(LogicalTables tables, List<EventGroup> groups, long[] cts) {
        EventBuffer out = new EventBuffer(1024);
        out.reset(0);
        out.writeBytes(EventHeader.MAGIC);
        FormatDescriptionEventEncoder.write(out, 1_700_000_000L, 1);
        TransactionEncoder tx = new TransactionEncoder(out, 1, CLUSTER);
        for (int t = 0; t < groups.size(); t++) {
            EventGroup g = groups.get(t);
            tx.beginRows(cts[t] << 22, t + 1, t, t + 1);
            Map<Long, Long> ids = new HashMap<>();
            for (int i = 0; i < g.size(); i++) {
                if (g.isRowsQuery(i)) {
                    tables.writeStatement(tx, g, i);
                } else if (g.isTableMap(i)) {
                    ids.put(g.tableId(i), tables.writeTableMap(tx, g, i, cts[t], "dn0 test"));
                } else {
                    tx.rows(g.type(i), g.buffer(), g.offset(i), g.length(i), ids.get(g.tableId(i)));
                }
            }
            tx.commit();
        }
        return Arrays.copyOf(out.array(), out.length());
    }

    private static List<EventData> read(byte[] file) throws IOException {
        EventDeserializer deserializer = new EventDeserializer();
        deserializer.setChecksumType(ChecksumType.CRC32);
        List<EventData> events = new ArrayList<>();
        try (BinaryLogFileReader reader = new BinaryLogFileReader(new ByteArrayInputStream(file), deserializer)) {
            for (Event e = reader.readEvent(); e != null; e = reader.readEvent()) {
                if (e.getData() instanceof RowsQueryEventData q && q.getQuery().startsWith("/* gbinlog cts=")) {
                    continue; // the transaction's cts marker
                }
                if (e.getData() instanceof TableMapEventData || e.getData() instanceof RowsQueryEventData
                        || e.getData() instanceof WriteRowsEventData
                        || e.getData() instanceof com.github.shyiko.mysql.binlog.event.UpdateRowsEventData) {
                    events.add(e.getData());
                }
            }
        }
        return events;
    }
}
