package io.gbinlog.dumper.query;

import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventData;
import com.github.shyiko.mysql.binlog.event.FormatDescriptionEventData;
import com.github.shyiko.mysql.binlog.event.GtidEventData;
import com.github.shyiko.mysql.binlog.event.PreviousGtidSetEventData;
import com.github.shyiko.mysql.binlog.event.QueryEventData;
import com.github.shyiko.mysql.binlog.event.RotateEventData;
import com.github.shyiko.mysql.binlog.event.RowsQueryEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.XidEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.ByteArrayEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.ChecksumType;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import com.github.shyiko.mysql.binlog.io.ByteArrayInputStream;
import io.gbinlog.protocol.binlog.EventHeader;
import io.gbinlog.protocol.binlog.EventType;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;

/**
 * The Event_type and Info columns of {@code SHOW BINLOG EVENTS}, worded as MySQL 8.0 words them. Bodies are
 * decoded with mysql-binlog-connector-java; row events are described from their post-header alone (table id and
 * flags), so a range that starts after its table map still reads.
 */
final class EventInfo {

    private static final int STMT_END_F = 1;

    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(EventType.QUERY, "Query"),
            Map.entry(EventType.ROTATE, "Rotate"),
            Map.entry(EventType.FORMAT_DESCRIPTION, "Format_desc"),
            Map.entry(EventType.XID, "Xid"),
            Map.entry(EventType.TABLE_MAP, "Table_map"),
            Map.entry(EventType.WRITE_ROWS_V1, "Write_rows_v1"),
            Map.entry(EventType.UPDATE_ROWS_V1, "Update_rows_v1"),
            Map.entry(EventType.DELETE_ROWS_V1, "Delete_rows_v1"),
            Map.entry(EventType.HEARTBEAT, "Heartbeat"),
            Map.entry(EventType.ROWS_QUERY, "Rows_query"),
            Map.entry(EventType.WRITE_ROWS, "Write_rows"),
            Map.entry(EventType.UPDATE_ROWS, "Update_rows"),
            Map.entry(EventType.DELETE_ROWS, "Delete_rows"),
            Map.entry(EventType.GTID, "Gtid"),
            Map.entry(EventType.PREVIOUS_GTIDS, "Previous_gtids"));

    private final EventDeserializer deserializer = new EventDeserializer();

    @SuppressWarnings("deprecation") // events are read one by one from any position, without their file's FDE
    EventInfo() {
        deserializer.setChecksumType(ChecksumType.CRC32);
        for (com.github.shyiko.mysql.binlog.event.EventType rows : new com.github.shyiko.mysql.binlog.event.EventType[] {
                com.github.shyiko.mysql.binlog.event.EventType.WRITE_ROWS,
                com.github.shyiko.mysql.binlog.event.EventType.UPDATE_ROWS,
                com.github.shyiko.mysql.binlog.event.EventType.DELETE_ROWS,
                com.github.shyiko.mysql.binlog.event.EventType.EXT_WRITE_ROWS,
                com.github.shyiko.mysql.binlog.event.EventType.EXT_UPDATE_ROWS,
                com.github.shyiko.mysql.binlog.event.EventType.EXT_DELETE_ROWS}) {
            deserializer.setEventDataDeserializer(rows, new ByteArrayEventDataDeserializer());
        }
    }

    static String typeName(int type) {
        return NAMES.getOrDefault(type, "Unknown(" + type + ")");
    }

    /** Info of the whole event (header to checksum) at {@code offset} of {@code buf}. */
    String describe(byte[] buf, int offset, int size) throws IOException {
        int type = EventHeader.type(buf, offset);
        if (isRows(type)) {
            long tableId = uint48(buf, offset + EventHeader.LENGTH);
            int flags = (buf[offset + EventHeader.LENGTH + 6] & 0xff) | (buf[offset + EventHeader.LENGTH + 7] & 0xff) << 8;
            return "table_id: " + tableId + ((flags & STMT_END_F) != 0 ? " flags: STMT_END_F" : "");
        }
        Event event = deserializer.nextEvent(new ByteArrayInputStream(Arrays.copyOfRange(buf, offset, offset + size)));
        EventData data = event.getData();
        if (data instanceof FormatDescriptionEventData fde) {
            return "Server ver: " + fde.getServerVersion() + ", Binlog ver: " + fde.getBinlogVersion();
        } else if (data instanceof PreviousGtidSetEventData previous) {
            return previous.getGtidSet();
        } else if (data instanceof GtidEventData gtid) {
            return "SET @@SESSION.GTID_NEXT= '" + gtid.getMySqlGtid() + "'";
        } else if (data instanceof QueryEventData query) {
            String db = query.getDatabase();
            return db == null || db.isEmpty() || "BEGIN".equals(query.getSql()) ? query.getSql()
                    : "use `" + db.replace("`", "``") + "`; " + query.getSql();
        } else if (data instanceof RowsQueryEventData rowsQuery) {
            return "# " + rowsQuery.getQuery();
        } else if (data instanceof TableMapEventData map) {
            return "table_id: " + map.getTableId() + " (" + map.getDatabase() + "." + map.getTable() + ")";
        } else if (data instanceof XidEventData xid) {
            return "COMMIT /* xid=" + xid.getXid() + " */";
        } else if (data instanceof RotateEventData rotate) {
            return rotate.getBinlogFilename() + ";pos=" + rotate.getBinlogPosition();
        }
        return "";
    }

    private static boolean isRows(int type) {
        return (type >= EventType.WRITE_ROWS_V1 && type <= EventType.DELETE_ROWS_V1)
                || (type >= EventType.WRITE_ROWS && type <= EventType.DELETE_ROWS);
    }

    private static long uint48(byte[] b, int i) {
        long v = 0;
        for (int k = 5; k >= 0; k--) {
            v = v << 8 | (b[i + k] & 0xffL);
        }
        return v;
    }
}
