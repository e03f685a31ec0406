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

    /**
     * Reads the 19-byte header with the fields the connector's own header deserializer reads, keeping the type code.
     * One bulk read: the connector's field readers take the stream a byte at a time, a synchronized call each.
     */
    public static final class Deserializer implements EventHeaderDeserializer<TypedEventHeader> {
        private static final int SIZE = 19;

        @Override
        public TypedEventHeader deserialize(ByteArrayInputStream in) throws IOException {
            byte[] b = in.read(SIZE);
            TypedEventHeader header = new TypedEventHeader();
            header.setTimestamp(uint32(b, 0) * 1000L);
            header.typeCode = b[4] & 0xff;
            EventType type = EventType.byEventNumber(header.typeCode);
            header.setEventType(type == null ? EventType.UNKNOWN : type);
            header.setServerId(uint32(b, 5));
            header.setEventLength(uint32(b, 9));
            header.setNextPosition(uint32(b, 13));
            header.setFlags((b[17] & 0xff) | (b[18] & 0xff) << 8);
            return header;
        }

        private static long uint32(byte[] b, int at) {
            return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
        }
    }
}
