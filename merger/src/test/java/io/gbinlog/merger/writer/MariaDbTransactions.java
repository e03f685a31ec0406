package io.gbinlog.merger.writer;

import com.github.shyiko.mysql.binlog.BinaryLogFileReader;
import com.github.shyiko.mysql.binlog.event.ByteArrayEventData;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.deserialization.ByteArrayEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.ChecksumType;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The row transactions of a real MariaDB binlog as raw event bodies, read with mysql-binlog-connector-java
 * (bodies without header and checksum), as a collector hands them to the merger.
 */
final class MariaDbTransactions {
    record RawEvent(int type, byte[] body) {
        /** db.table of a table map body. */
        String tableName() {
            int dbLength = body[8] & 0xff;
            int tableLength = body[8 + 1 + dbLength + 1] & 0xff;
            return new String(body, 9, dbLength, StandardCharsets.UTF_8) + "."
                    + new String(body, 8 + 1 + dbLength + 2, tableLength, StandardCharsets.UTF_8);
        }
    }

    private static final Map<EventType, Integer> RAW_TYPES = Map.of(
            EventType.TABLE_MAP, io.gbinlog.protocol.binlog.EventType.TABLE_MAP,
            EventType.WRITE_ROWS, io.gbinlog.protocol.binlog.EventType.WRITE_ROWS_V1,
            EventType.UPDATE_ROWS, io.gbinlog.protocol.binlog.EventType.UPDATE_ROWS_V1,
            EventType.DELETE_ROWS, io.gbinlog.protocol.binlog.EventType.DELETE_ROWS_V1,
            EventType.ANNOTATE_ROWS, io.gbinlog.protocol.binlog.EventType.MARIADB_ANNOTATE_ROWS);

    private MariaDbTransactions() {
    }

    /** Each committed row transaction of {@code binlog}, as its annotate, table map and row events in order. */
    static List<List<RawEvent>> read(Path binlog) throws IOException {
        EventDeserializer deserializer = new EventDeserializer();
        deserializer.setChecksumType(ChecksumType.CRC32);
        RAW_TYPES.keySet().forEach(t -> deserializer.setEventDataDeserializer(t, new ByteArrayEventDataDeserializer()));
        List<List<RawEvent>> transactions = new ArrayList<>();
        List<RawEvent> current = new ArrayList<>();
        try (BinaryLogFileReader reader = new BinaryLogFileReader(binlog.toFile(), deserializer)) {
            for (Event e = reader.readEvent(); e != null; e = reader.readEvent()) {
                EventType type = e.getHeader().getEventType();
                if (type == EventType.MARIADB_GTID) {
                    current = new ArrayList<>();
                } else if (RAW_TYPES.containsKey(type)) {
                    current.add(new RawEvent(RAW_TYPES.get(type), ((ByteArrayEventData) e.getData()).getData()));
                } else if (type == EventType.XID && !current.isEmpty()) {
                    transactions.add(current);
                    current = new ArrayList<>();
                }
            }
        }
        return transactions;
    }
}
