package io.gbinlog.integration.pipeline;

import com.github.shyiko.mysql.binlog.BinaryLogFileReader;
import com.github.shyiko.mysql.binlog.event.DeleteRowsEventData;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventData;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import com.github.shyiko.mysql.binlog.event.GtidEventData;
import com.github.shyiko.mysql.binlog.event.QueryEventData;
import com.github.shyiko.mysql.binlog.event.RowsQueryEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventMetadata;
import com.github.shyiko.mysql.binlog.event.UpdateRowsEventData;
import com.github.shyiko.mysql.binlog.event.WriteRowsEventData;
import com.github.shyiko.mysql.binlog.event.XidEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.ChecksumType;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import io.gbinlog.protocol.binlog.CtsMarker;
import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The global binlog files read back with mysql-binlog-connector-java, as a downstream consumer would, cut into
 * transactions (GTID to XID, or GTID and a DDL) with their markers, statement ids and decoded row changes.
 */
final class GlobalBinlogContent {

    private static final Pattern SQL_ID = Pattern.compile("^/\\* sql_id=([A-Za-z0-9_.:-]{1,64}) \\*/");

    enum ChangeType { INSERT, UPDATE, DELETE }

    /**
     * One row change: {@code before} null for an insert, {@code after} null for a delete.
     *
     * @param tableId     the table id of its row event
     * @param columnNames the column names of its table map's optional metadata; null when the table map has none
     */
    record Change(String table, ChangeType type, Serializable[] before, Serializable[] after, long tableId,
                  List<String> columnNames) {
    }

    /**
     * One global transaction.
     *
     * @param origin the marker's origin ({@code gtrid=<hex>} or {@code local=<dn>:<file>:<pos>})
     * @param ddl    the statement of a DDL transaction, else null
     */
    record Tx(String file, long position, long gno, long commitMicros, long cts, String origin, List<String> sqlIds,
              List<String> tables, List<Change> changes, String ddl) {

        boolean isDistributed() {
            return origin.startsWith("gtrid=");
        }

        /** The data node of a local transaction. */
        String localDataNode() {
            String rest = origin.substring("local=".length());
            return rest.substring(0, rest.indexOf(':'));
        }
    }

    private GlobalBinlogContent() {
    }

    static List<Path> files(Path binlogDir) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String line : Files.readAllLines(binlogDir.resolve("binlog.index"))) {
            if (!line.isBlank()) {
                files.add(binlogDir.resolve(line.strip().replaceFirst("^\\./", "")));
            }
        }
        return files;
    }

    static List<Tx> read(Path binlogDir) throws IOException {
        List<Tx> txs = new ArrayList<>();
        for (Path file : files(binlogDir)) {
            readFile(file, txs);
        }
        return txs;
    }

    private static void readFile(Path file, List<Tx> txs) throws IOException {
        EventDeserializer deserializer = new EventDeserializer();
        deserializer.setChecksumType(ChecksumType.CRC32);
        deserializer.setCompatibilityMode(EventDeserializer.CompatibilityMode.CHAR_AND_BINARY_AS_BYTE_ARRAY);
        Builder current = null;
        Map<Long, TableMapEventData> tables = new HashMap<>();
        String name = file.getFileName().toString();
        try (BinaryLogFileReader reader = new BinaryLogFileReader(file.toFile(), deserializer)) {
            for (Event e = reader.readEvent(); e != null; e = reader.readEvent()) {
                EventData data = e.getData();
                EventHeaderV4 header = e.getHeader();
                if (data instanceof GtidEventData gtid) {
                    if (current != null) {
                        throw new AssertionError(name + ":" + header.getPosition() + ": GTID inside transaction "
                                + current.gno);
                    }
                    current = new Builder(name, header.getPosition(), gtid.getMySqlGtid().getTransactionId(),
                            gtid.getImmediateCommitTimestamp());
                    tables.clear();
                } else if (current == null) {
                    continue; // file header, rotate
                } else if (data instanceof QueryEventData query) {
                    if (query.getSql().equals("BEGIN")) {
                        continue;
                    }
                    current.marker(query.getSql());
                    current.ddl = query.getSql();
                    txs.add(current.build());
                    current = null;
                } else if (data instanceof RowsQueryEventData rowsQuery) {
                    if (current.origin == null) {
                        current.marker(rowsQuery.getQuery());
                    } else {
                        Matcher m = SQL_ID.matcher(rowsQuery.getQuery());
                        if (m.find()) {
                            current.sqlIds.add(m.group(1));
                        }
                    }
                } else if (data instanceof TableMapEventData map) {
                    tables.put(map.getTableId(), map);
                    current.tables.add(map.getDatabase() + "." + map.getTable());
                } else if (data instanceof WriteRowsEventData w) {
                    for (Serializable[] row : w.getRows()) {
                        current.changes.add(change(tables, w.getTableId(), ChangeType.INSERT, null, row));
                    }
                } else if (data instanceof UpdateRowsEventData u) {
                    for (Map.Entry<Serializable[], Serializable[]> row : u.getRows()) {
                        current.changes.add(change(tables, u.getTableId(), ChangeType.UPDATE, row.getKey(),
                                row.getValue()));
                    }
                } else if (data instanceof DeleteRowsEventData d) {
                    for (Serializable[] row : d.getRows()) {
                        current.changes.add(change(tables, d.getTableId(), ChangeType.DELETE, row, null));
                    }
                } else if (data instanceof XidEventData) {
                    txs.add(current.build());
                    current = null;
                }
            }
        }
        if (current != null) {
            throw new AssertionError(name + " ends inside transaction " + current.gno);
        }
    }

    private static Change change(Map<Long, TableMapEventData> tables, long id, ChangeType type, Serializable[] before,
                                 Serializable[] after) {
        TableMapEventData map = tables.get(id);
        if (map == null) {
            throw new AssertionError("row event for table id " + id + " without a table map");
        }
        TableMapEventMetadata metadata = map.getEventMetadata();
        List<String> names = metadata == null || metadata.getColumnNames() == null ? null
                : List.copyOf(metadata.getColumnNames());
        return new Change(map.getDatabase() + "." + map.getTable(), type, before, after, id, names);
    }

    private static final class Builder {
        final String file;
        final long position;
        final long gno;
        final long commitMicros;
        long cts = -1;
        String origin;
        String ddl;
        final List<String> sqlIds = new ArrayList<>();
        final List<String> tables = new ArrayList<>();
        final List<Change> changes = new ArrayList<>();

        Builder(String file, long position, long gno, long commitMicros) {
            this.file = file;
            this.position = position;
            this.gno = gno;
            this.commitMicros = commitMicros;
        }

        void marker(String text) {
            byte[] b = text.getBytes(StandardCharsets.UTF_8);
            cts = CtsMarker.parse(b, 0, b.length);
            origin = CtsMarker.origin(b, 0, b.length);
            if (cts == CtsMarker.ABSENT || origin == null) {
                throw new AssertionError(file + ":" + position + ": transaction " + gno + " starts without a marker"
                        + " naming its origin: " + text);
            }
        }

        Tx build() {
            return new Tx(file, position, gno, commitMicros, cts, origin, List.copyOf(sqlIds), List.copyOf(tables),
                    List.copyOf(changes), ddl);
        }
    }
}
