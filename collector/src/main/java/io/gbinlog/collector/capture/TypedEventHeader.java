package io.gbinlog.collector.capture;

import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.deserialization.EventHeaderDeserializer;
import com.github.shyiko.mysql.binlog.io.ByteArrayInputStream;

import java.io.IOException;

/**
 * The v4 event header with the event type code as the data node wrote it: the connector maps codes it does not
 * know (MariaDB's compressed events, for one) to {@link EventType#UNKNOWN}, and the payload must keep the code.
 */
public final class TypedEventHeader extends EventHeaderV4 {

    private int typeCode;

    public int typeCode() {
        return typeCode;
    }

    /** Reads the 19-byte header as the connector's own header deserializer does, keeping the type code. */
    public static final class Deserializer implements EventHeaderDeserializer<TypedEventHeader> {
        @Override
        public TypedEventHeader deserialize(ByteArrayInputStream in) throws IOException {
            TypedEventHeader header = new TypedEventHeader();
            header.setTimestamp(in.readLong(4) * 1000L);
            header.typeCode = in.readInteger(1);
            EventType type = EventType.byEventNumber(header.typeCode);
            header.setEventType(type == null ? EventType.UNKNOWN : type);
            header.setServerId(in.readLong(4));
            header.setEventLength(in.readLong(4));
            header.setNextPosition(in.readLong(4));
            header.setFlags(in.readInteger(2));
            return header;
        }
    }
}
