package io.gbinlog.protocol.binlog;

import com.github.shyiko.mysql.binlog.BinaryLogFileReader;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventMetadata;
import com.github.shyiko.mysql.binlog.event.WriteRowsEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.ChecksumType;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Writes the optional metadata of a real MariaDB table map of many column types and reads it back with
 * mysql-binlog-connector-java and with {@code mariadb-binlog --print-table-metadata}.
 */
class TableMetadataEncoderTest {
    private static final long SERVER_ID = 4242;
    private static final long SECONDS = 1_700_000_123L;
    private static final List<String> NAMES = List.of("id", "qty", "price", "name", "code", "note", "photo", "digest",
            "status", "tags", "created", "attrs", "ratio", "year_made", "tiny", "big_label", "wide_code");
    private static final List<String> STATUS = List.of("new", "paid", "shipped");
    private static final List<String> TAGS = List.of("red", "green", "blue");

    private static byte[] tableMap;
    private static byte[] writeRows;

    @BeforeAll
    static void load() throws IOException {
        List<MariaDbRowEvents.RawEvent> events = MariaDbRowEvents.load("/mariadb-10.11-kinds-events.txt");
        tableMap = events.get(1).body();
        writeRows = events.get(2).body();
    }

    /** The table as its CREATE TABLE says, collation ids from the server's information_schema.COLLATIONS. */
    private static TableMetadata kinds(int... collations) {
        boolean[] unsigned = new boolean[NAMES.size()];
        unsigned[0] = true;
        unsigned[2] = true;
        unsigned[14] = true;
        unsigned[13] = true; // YEAR: MySQL writes it signed whatever the schema says
        List<TableMetadata.Column> columns = new ArrayList<>();
        for (int i = 0; i < NAMES.size(); i++) {
            List<String> values = i == 8 ? STATUS : i == 9 ? TAGS : List.of();
            columns.add(new TableMetadata.Column(NAMES.get(i), unsigned[i], collations[i], values));
        }
        return new TableMetadata(columns, List.of(4, 0));
    }

    private static final int[] REAL_COLLATIONS = {0, 0, 0, 224, 8, 45, 0, 0, 8, 45, 0, 46, 0, 0, 0, 46, 45};

    private static byte[] file(TableMetadataEncoder metadata, byte[] rawTableMap) {
        EventBuffer out = new EventBuffer(256);
        out.reset(0);
        out.writeBytes(EventHeader.MAGIC);
        FormatDescriptionEventEncoder.write(out, SECONDS, SERVER_ID);
        TableMapEventEncoder.write(out, SECONDS, SERVER_ID, rawTableMap, 0, rawTableMap.length, 9,
                "shop".getBytes(StandardCharsets.UTF_8), "kinds".getBytes(StandardCharsets.UTF_8), metadata);
        RowsEventEncoder.write(out, SECONDS, SERVER_ID, EventType.WRITE_ROWS_V1, writeRows, 0, writeRows.length, 9);
        return Arrays.copyOf(out.array(), out.length());
    }

    private static List<Event> read(byte[] file) throws IOException {
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

    private static TableMapEventData tableMapOf(byte[] file) throws IOException {
        return read(file).get(1).getData();
    }

    @Test
    void everyFieldReadsBackWithTheConnector() throws IOException {
        byte[] file = file(new TableMetadataEncoder(kinds(REAL_COLLATIONS)), tableMap);
        List<Event> events = read(file);
        TableMapEventData map = events.get(1).getData();
        assertEquals("shop", map.getDatabase());
        assertEquals("kinds", map.getTable());
        assertEquals(9, map.getTableId());
        TableMapEventMetadata meta = map.getEventMetadata();
        assertEquals(NAMES, meta.getColumnNames());
        BitSet unsigned = new BitSet();
        unsigned.set(0);
        unsigned.set(2);
        unsigned.set(14);
        assertEquals(unsigned, meta.getSignedness(), "id, price and tiny; YEAR signed as MySQL writes it");
        // eight character columns in five collations: one per column is shorter than a default and exceptions
        assertEquals(List.of(224, 8, 45, 63, 63, 46, 46, 45), meta.getColumnCharsets());
        assertNull(meta.getDefaultCharset());
        assertEquals(List.of(8, 45), meta.getEnumAndSetColumnCharsets());
        assertEquals(1, meta.getEnumStrValues().size());
        assertEquals(STATUS, List.of(meta.getEnumStrValues().get(0)));
        assertEquals(1, meta.getSetStrValues().size());
        assertEquals(TAGS, List.of(meta.getSetStrValues().get(0)));
        assertEquals(List.of(4, 0), meta.getSimplePrimaryKeys());
        assertNull(meta.getPrimaryKeysWithPrefix());

        WriteRowsEventData rows = events.get(2).getData();
        assertEquals(1, rows.getRows().size());
        Serializable[] row = rows.getRows().get(0);
        assertEquals(7, row[0]);
        assertEquals(-3L, row[1]);
        assertEquals(2024, row[13]);
    }

    @Test
    void aDominantCollationIsWrittenAsTheDefaultWithExceptions() throws IOException {
        TableMetadata metadata = kinds(0, 0, 0, 224, 45, 45, 0, 0, 8, 8, 0, 45, 0, 0, 0, 45, 45);
        TableMapEventMetadata meta = tableMapOf(file(new TableMetadataEncoder(metadata), tableMap)).getEventMetadata();
        assertNull(meta.getColumnCharsets());
        assertEquals(45, meta.getDefaultCharset().getDefaultCharsetCollation());
        assertEquals(Map.of(0, 224, 3, 63, 4, 63), meta.getDefaultCharset().getCharsetCollations(),
                "indexes count character columns only");
        assertNull(meta.getEnumAndSetColumnCharsets());
        assertEquals(8, meta.getEnumAndSetDefaultCharset().getDefaultCharsetCollation());
        assertNull(meta.getEnumAndSetDefaultCharset().getCharsetCollations());
    }

    @Test
    void metadataTheDataNodeWroteIsReplacedOrDropped() throws IOException {
        byte[] withOurs = file(new TableMetadataEncoder(kinds(REAL_COLLATIONS)), tableMap);
        byte[] asDataNodeWroteIt = tableMapBody(withOurs);
        assertTrue(asDataNodeWroteIt.length > tableMap.length);

        List<TableMetadata.Column> renamed = new ArrayList<>();
        for (TableMetadata.Column c : kinds(REAL_COLLATIONS).columns()) {
            renamed.add(new TableMetadata.Column("logical_" + c.name(), c.unsigned(), c.collationId(), c.values()));
        }
        TableMetadataEncoder logical = new TableMetadataEncoder(new TableMetadata(renamed, List.of()));
        TableMapEventMetadata meta = tableMapOf(file(logical, asDataNodeWroteIt)).getEventMetadata();
        assertEquals(renamed.stream().map(TableMetadata.Column::name).toList(), meta.getColumnNames());
        assertNull(meta.getSimplePrimaryKeys());

        byte[] without = file(null, asDataNodeWroteIt);
        assertNull(tableMapOf(without).getEventMetadata());
        assertArrayEquals(Arrays.copyOfRange(tableMap, 6, tableMap.length), Arrays.copyOfRange(tableMapBody(without), 6,
                tableMap.length), "the raw map past the table id, the new names being the same");
        assertArrayEquals(file(null, tableMap), without, "only the table id and names differ from the raw map");
    }

    @Test
    void fieldsAreBuiltOncePerColumnTypes() {
        TableMetadataEncoder encoder = new TableMetadataEncoder(kinds(REAL_COLLATIONS));
        EventBuffer out = new EventBuffer(256);
        out.reset(4);
        TableMapEventEncoder.write(out, SECONDS, SERVER_ID, tableMap, 0, tableMap.length, 9, null, null, encoder);
        byte[] first = Arrays.copyOf(out.array(), out.length());
        out.reset(4);
        TableMapEventEncoder.write(out, SECONDS, SERVER_ID, tableMap, 0, tableMap.length, 9, null, null, encoder);
        assertArrayEquals(first, Arrays.copyOf(out.array(), out.length()));
        byte[] defs = Arrays.copyOfRange(tableMap, 22, tableMap.length);
        assertSame(encoder.fields(tableMap, 22, 23, 17, 41, 62), encoder.fields(tableMap, 22, 23, 17, 41, 62));
        assertEquals(17, TableMapEventEncoder.columnCount(tableMap, 0, tableMap.length));
        assertTrue(defs.length > 0);
    }

    @Test
    void aColumnCountThatDiffersIsRefused() {
        TableMetadata seven = new TableMetadata(kinds(REAL_COLLATIONS).columns().subList(0, 7), List.of());
        EventBuffer out = new EventBuffer(256);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TableMapEventEncoder.write(
                out, SECONDS, SERVER_ID, tableMap, 0, tableMap.length, 9, null, null, new TableMetadataEncoder(seven)));
        assertTrue(e.getMessage().contains("17 columns, the metadata 7"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TableMapEventEncoder.write(
                out, SECONDS, SERVER_ID, tableMap, 0, 30, 9, null, null, null));
    }

    @Test
    void mariadbBinlogPrintsTheColumns(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("binlog.000001");
        Files.write(f, file(new TableMetadataEncoder(kinds(REAL_COLLATIONS)), tableMap));
        Process p = new ProcessBuilder("mariadb-binlog", "--print-table-metadata", "-v", "--base64-output=decode-rows",
                f.toString()).redirectError(dir.resolve("err").toFile()).redirectOutput(dir.resolve("out").toFile())
                .start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "mariadb-binlog finished");
        String out = Files.readString(dir.resolve("out"), StandardCharsets.ISO_8859_1); // rows hold binary strings
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("err")));
        assertTrue(out.contains("# Columns(`id` INT UNSIGNED NOT NULL,"), out);
        assertTrue(out.contains("`status` ENUM('new','paid','shipped') CHARSET latin1 COLLATE latin1_swedish_ci"),
                out);
        assertTrue(out.contains("# Primary Key(code, id)"), out);
    }

    /** The body of the table map event of a file written by {@link #file}: after magic, FDE and its header. */
    private static byte[] tableMapBody(byte[] file) {
        int at = 4 + (int) EventHeader.eventSize(file, 4);
        int size = (int) EventHeader.eventSize(file, at);
        return Arrays.copyOfRange(file, at + EventHeader.LENGTH, at + size - EventHeader.CHECKSUM_LENGTH);
    }
}
