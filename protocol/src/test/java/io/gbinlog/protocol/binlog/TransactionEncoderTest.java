package io.gbinlog.protocol.binlog;

import com.github.shyiko.mysql.binlog.BinaryLogFileReader;
import com.github.shyiko.mysql.binlog.event.DeleteRowsEventData;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import com.github.shyiko.mysql.binlog.event.FormatDescriptionEventData;
import com.github.shyiko.mysql.binlog.event.GtidEventData;
import com.github.shyiko.mysql.binlog.event.QueryEventData;
import com.github.shyiko.mysql.binlog.event.RotateEventData;
import com.github.shyiko.mysql.binlog.event.RowsQueryEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.UpdateRowsEventData;
import com.github.shyiko.mysql.binlog.event.WriteRowsEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.ChecksumType;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Encodes a small global binlog from real MariaDB row events and reads it back with
 * mysql-binlog-connector-java and with mariadb-binlog.
 */
class TransactionEncoderTest {
    private static final UUID CLUSTER = UUID.fromString("3e11fa47-71ca-11e1-9e33-c80aa9429562");
    private static final long SERVER_ID = 4242;
    private static final long MILLIS = 1_700_000_123_456L;
    private static final long CTS_DDL = MILLIS << 22 | 1;
    private static final long CTS_INSERT = MILLIS << 22 | 2;
    private static final long CTS_CHANGE = (MILLIS + 1000) << 22 | 7;
    private static final byte[] SALES = "sales".getBytes(StandardCharsets.UTF_8);

    private static List<MariaDbRowEvents.RawEvent> raw;
    private static byte[] file;

    @BeforeAll
    static void encode() throws IOException {
        raw = MariaDbRowEvents.load();
        EventBuffer out = new EventBuffer(256);
        out.reset(0);
        out.writeBytes(EventHeader.MAGIC);
        FormatDescriptionEventEncoder.write(out, MILLIS / 1000, SERVER_ID);
        PreviousGtidsEventEncoder.write(out, MILLIS / 1000, SERVER_ID, CLUSTER, 0);
        TransactionEncoder tx = new TransactionEncoder(out, SERVER_ID, CLUSTER);
        tx.ddl(CTS_DDL, 1, 0, 1, "sales", "CREATE TABLE orders (id INT PRIMARY KEY)");
        tx.beginRows(CTS_INSERT, 2, 1, 2);
        copy(tx, raw.subList(0, 3));
        tx.commit();
        tx.beginRows(CTS_CHANGE, 3, 1, 3);
        copy(tx, raw.subList(3, 9));
        tx.commit();
        RotateEventEncoder.write(out, MILLIS / 1000, SERVER_ID, "binlog.000002");
        file = Arrays.copyOf(out.array(), out.length());
    }

    private static void copy(TransactionEncoder tx, List<MariaDbRowEvents.RawEvent> events) {
        for (MariaDbRowEvents.RawEvent e : events) {
            byte[] b = e.body();
            switch (e.type()) {
                case EventType.MARIADB_ANNOTATE_ROWS -> tx.rowsQuery(b, 0, b.length);
                case EventType.TABLE_MAP -> tx.tableMap(b, 0, b.length, 7, SALES, null);
                default -> tx.rows(e.type(), b, 0, b.length, 7);
            }
        }
    }

    private static List<Event> readWithConnector() throws IOException {
        EventDeserializer deserializer = new EventDeserializer();
        deserializer.setChecksumType(ChecksumType.CRC32);
        List<Event> events = new ArrayList<>();
        try (BinaryLogFileReader reader = new BinaryLogFileReader(new ByteArrayInputStream(file), deserializer)) {
            for (Event e = reader.readEvent(); e != null; e = reader.readEvent()) {
                events.add(e);
            }
        }
        return events;
    }

    @Test
    void formatDescriptionIsTheMysql80One() throws IOException {
        assertEquals(122, EventHeader.eventSize(file, 4), "8.0.26+ FDE size");
        assertEquals(126, EventHeader.logPos(file, 4));
        FormatDescriptionEventData fde = readWithConnector().get(0).getData();
        assertEquals(4, fde.getBinlogVersion());
        assertEquals("8.0.36-gbinlog", fde.getServerVersion());
        assertEquals(19, fde.getHeaderLength());
        assertEquals(ChecksumType.CRC32, fde.getChecksumType());
    }

    @Test
    void everyEventDecodesWithItsEndPositionAndChecksum() throws IOException {
        List<Event> events = readWithConnector();
        List<String> types = events.stream().map(e -> e.getHeader().getEventType().name()).toList();
        assertEquals(List.of("FORMAT_DESCRIPTION", "PREVIOUS_GTIDS", "GTID", "QUERY",
                "GTID", "QUERY", "ROWS_QUERY", "ROWS_QUERY", "TABLE_MAP", "EXT_WRITE_ROWS", "XID",
                "GTID", "QUERY", "ROWS_QUERY", "ROWS_QUERY", "TABLE_MAP", "EXT_UPDATE_ROWS", "ROWS_QUERY",
                "TABLE_MAP", "EXT_DELETE_ROWS", "XID", "ROTATE"), types);
        long position = 4;
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        for (Event e : events) {
            EventHeaderV4 h = e.getHeader();
            assertEquals(SERVER_ID, h.getServerId());
            assertEquals(position + h.getEventLength(), h.getNextPosition());
            assertTrue(EventHeader.checksumMatches(file, (int) position, (int) h.getEventLength(), crc));
            position = h.getNextPosition();
        }
        assertEquals(file.length, position);
        RotateEventData rotate = events.get(events.size() - 1).getData();
        assertEquals("binlog.000002", rotate.getBinlogFilename());
        assertEquals(4, rotate.getBinlogPosition());
    }

    @Test
    void gtidEventsCarryLogicalClockTimestampsAndLength() throws IOException {
        List<Event> events = readWithConnector();
        List<GtidEventData> gtids = new ArrayList<>();
        List<Long> starts = new ArrayList<>();
        for (Event e : events) {
            if (e.getData() instanceof GtidEventData g) {
                gtids.add(g);
                starts.add(((EventHeaderV4) e.getHeader()).getPosition());
            }
        }
        assertEquals(3, gtids.size());
        for (int i = 0; i < 3; i++) {
            GtidEventData g = gtids.get(i);
            assertEquals(CLUSTER + ":" + (i + 1), g.getMySqlGtid().toString());
            assertEquals(i + 1, g.getSequenceNumber());
            assertEquals(i == 0 ? 0 : 1, g.getLastCommitted());
            assertEquals(g.getImmediateCommitTimestamp(), g.getOriginalCommitTimestamp());
            assertEquals(80036, g.getImmediateServerVersion());
            assertTrue(g.getTransactionLength() > 0);
            if (i < 2) {
                assertEquals(starts.get(i + 1) - starts.get(i), g.getTransactionLength());
            }
        }
        assertEquals(MILLIS * 1000, gtids.get(1).getImmediateCommitTimestamp());
        assertEquals((MILLIS + 1000) * 1000, gtids.get(2).getImmediateCommitTimestamp());
        assertEquals(1, gtids.get(0).getFlags() & 1, "a DDL may contain statements");
        assertEquals(0, gtids.get(1).getFlags() & 1, "a row transaction has none");
    }

    @Test
    void rowsKeepTheirImagesUnderTheNewTableIdAndName() throws IOException {
        List<Event> events = readWithConnector();
        TableMapEventData map = events.get(8).getData();
        assertEquals("sales", map.getDatabase());
        assertEquals("orders", map.getTable());
        assertEquals(7, map.getTableId());
        WriteRowsEventData insert = events.get(9).getData();
        assertEquals(7, insert.getTableId());
        assertEquals(2, insert.getRows().size());
        Serializable[] alice = insert.getRows().get(0);
        assertEquals(1, alice[0]);
        assertEquals("alice", text(alice[1]));
        assertEquals(new BigDecimal("12.50"), alice[2]);
        assertEquals(3L, alice[5]);
        assertEquals(0.5, alice[6]);
        Serializable[] bob = insert.getRows().get(1);
        assertEquals(null, bob[2]);
        assertEquals(-7L, bob[5]);
        UpdateRowsEventData update = events.get(16).getData();
        assertEquals(new BigDecimal("99.99"), update.getRows().get(0).getValue()[2]);
        assertEquals("changed", text(update.getRows().get(0).getValue()[3]));
        DeleteRowsEventData delete = events.get(19).getData();
        assertEquals(2, delete.getRows().get(0)[0]);
    }

    @Test
    void statementTextAndCtsMarkerAreRowsQueryEvents() throws IOException {
        List<Event> events = readWithConnector();
        assertEquals("/* gbinlog cts=" + CTS_INSERT + " */", ((RowsQueryEventData) events.get(6).getData()).getQuery());
        String annotate = new String(raw.get(0).body(), StandardCharsets.UTF_8);
        assertEquals(annotate, ((RowsQueryEventData) events.get(7).getData()).getQuery());
        QueryEventData ddl = events.get(3).getData();
        assertEquals("sales", ddl.getDatabase());
        assertEquals("/* gbinlog cts=" + CTS_DDL + " */ CREATE TABLE orders (id INT PRIMARY KEY)", ddl.getSql());
        assertEquals("BEGIN", ((QueryEventData) events.get(5).getData()).getSql());
        assertEquals(EventHeader.FLAG_IGNORABLE, EventHeader.flags(file, (int) ((EventHeaderV4) events.get(6).getHeader()).getPosition()));
    }

    @Test
    void scannerRecoversEachTransactionsGtidAndCtsFromTheFile() {
        TransactionScanner scanner = new TransactionScanner();
        List<long[]> found = new ArrayList<>();
        int p = 4;
        while (p < file.length) {
            int size = (int) EventHeader.eventSize(file, p);
            if (scanner.accept(file, p, size, p) == TransactionScanner.Step.COMPLETE) {
                found.add(new long[] {scanner.gno(), scanner.cts(), scanner.startPosition(), p + size});
            }
            p += size;
        }
        assertFalse(scanner.insideTransaction());
        assertEquals(3, found.size());
        assertArrayEquals(new long[] {1, CTS_DDL}, Arrays.copyOf(found.get(0), 2));
        assertArrayEquals(new long[] {2, CTS_INSERT}, Arrays.copyOf(found.get(1), 2));
        assertArrayEquals(new long[] {3, CTS_CHANGE}, Arrays.copyOf(found.get(2), 2));
        assertEquals(found.get(0)[3], found.get(1)[2], "transactions are back to back");
    }

    @Test
    void ctsMarkerParsesOnlyWellFormedMarkers() {
        byte[] ok = "/* gbinlog cts=123 */ ALTER TABLE t".getBytes(StandardCharsets.US_ASCII);
        assertEquals(123, CtsMarker.parse(ok, 0, ok.length));
        for (String bad : List.of("", "BEGIN", "/* gbinlog cts= */", "/* gbinlog cts=12", "/* gbinlog cts=12x */",
                "/* gbinlog cts=99999999999999999999 */")) {
            byte[] b = bad.getBytes(StandardCharsets.US_ASCII);
            assertEquals(CtsMarker.ABSENT, CtsMarker.parse(b, 0, b.length), bad);
        }
        EventBuffer out = new EventBuffer(8);
        CtsMarker.write(out, Long.MAX_VALUE);
        assertEquals(CtsMarker.length(Long.MAX_VALUE), out.length());
        assertEquals(Long.MAX_VALUE, CtsMarker.parse(out.array(), 0, out.length()));
        assertEquals(null, CtsMarker.origin(out.array(), 0, out.length()));
    }

    @Test
    void ctsMarkerCarriesAnOriginThatOlderReadersSkip() {
        String origin = "local=dn-1:mariadb-bin.000003:1234";
        EventBuffer out = new EventBuffer(8);
        CtsMarker.write(out, 42, origin);
        assertEquals(CtsMarker.length(42, origin), out.length());
        String text = new String(out.array(), 0, out.length(), StandardCharsets.US_ASCII);
        assertEquals("/* gbinlog cts=42 " + origin + " */", text);
        byte[] ddl = (text + " CREATE TABLE t (id INT)").getBytes(StandardCharsets.US_ASCII);
        assertEquals(42, CtsMarker.parse(ddl, 0, ddl.length));
        assertEquals(origin, CtsMarker.origin(ddl, 0, ddl.length));
        for (String bad : List.of("/* gbinlog cts=7 gtrid=ab", "/* gbinlog cts=7 gtrid=a b */", "/* gbinlog cts=7 */x",
                "/* gbinlog cts=7  */", "/* gbinlog cts=7 a*/b */")) {
            byte[] b = bad.getBytes(StandardCharsets.US_ASCII);
            if (bad.endsWith("*/x")) {
                assertEquals(7, CtsMarker.parse(b, 0, b.length), bad); // text after the marker is the statement
                continue;
            }
            assertEquals(CtsMarker.ABSENT, CtsMarker.parse(b, 0, b.length), bad);
            assertEquals(null, CtsMarker.origin(b, 0, b.length), bad);
        }
        for (String bad : List.of("", "a b", "x*/", "\u00e9")) {
            assertThrows(IllegalArgumentException.class, () -> CtsMarker.checkOrigin(bad), bad);
        }
        TransactionEncoder tx = new TransactionEncoder(new EventBuffer(64), 1, java.util.UUID.randomUUID());
        assertThrows(IllegalArgumentException.class, () -> tx.beginRows(1L << 22, "a */ DROP", 1, 0, 1));
    }

    @Test
    void mariadbBinlogPrintsTheRowsWithoutWarnings(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("binlog.000001");
        Files.write(f, file);
        Process p = new ProcessBuilder("mariadb-binlog", "-v", "--base64-output=decode-rows", f.toString())
                .redirectError(dir.resolve("err").toFile()).redirectOutput(dir.resolve("out").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "mariadb-binlog finished");
        String out = Files.readString(dir.resolve("out"));
        String err = Files.readString(dir.resolve("err"));
        assertEquals(0, p.exitValue(), err);
        assertEquals("", err);
        assertFalse(out.contains("WARNING") || out.contains("ERROR"), out);
        assertTrue(out.contains("### INSERT INTO `sales`.`orders`"), out);
        assertTrue(out.contains("###   @2='alice'"), out);
        assertTrue(out.contains("### UPDATE `sales`.`orders`"), out);
        assertTrue(out.contains("### DELETE FROM `sales`.`orders`"), out);
        assertTrue(out.contains("Start: binlog v 4, server v 8.0.36-gbinlog"), out);
    }

    private static String text(Serializable value) {
        return value instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : (String) value;
    }
}
