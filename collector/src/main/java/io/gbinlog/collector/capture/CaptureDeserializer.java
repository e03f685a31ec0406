package io.gbinlog.collector.capture;

import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.deserialization.ByteArrayEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.NullEventDataDeserializer;

/**
 * The connector's event deserializer set up for capture: the events a payload keeps, and the few the collector
 * reads itself, arrive as raw bodies; the connector decodes only what it needs to follow the stream (format
 * description, rotate) and the two small events whose fields the collector uses (MariaDB GTID flags, the XID
 * of XA_PREPARE). Row images are never decoded.
 */
public final class CaptureDeserializer {

    private CaptureDeserializer() {
    }

    public static EventDeserializer create() {
        EventDeserializer deserializer = new EventDeserializer(new TypedEventHeader.Deserializer(),
                new NullEventDataDeserializer());
        ByteArrayEventDataDeserializer raw = new ByteArrayEventDataDeserializer();
        for (EventType type : new EventType[] {EventType.TABLE_MAP, EventType.WRITE_ROWS, EventType.UPDATE_ROWS,
                EventType.DELETE_ROWS, EventType.EXT_WRITE_ROWS, EventType.EXT_UPDATE_ROWS, EventType.EXT_DELETE_ROWS,
                EventType.ANNOTATE_ROWS, EventType.ROWS_QUERY, EventType.QUERY, EventType.HEARTBEAT}) {
            deserializer.setEventDataDeserializer(type, raw);
        }
        NullEventDataDeserializer skip = new NullEventDataDeserializer();
        for (EventType type : new EventType[] {EventType.XID, EventType.INTVAR, EventType.GTID,
                EventType.PREVIOUS_GTIDS, EventType.BINLOG_CHECKPOINT, EventType.MARIADB_GTID_LIST}) {
            deserializer.setEventDataDeserializer(type, skip);
        }
        return deserializer;
    }
}
