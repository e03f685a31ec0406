package io.gbinlog.protocol.binlog;

import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.FormatDescriptionEventData;
import com.github.shyiko.mysql.binlog.event.RotateEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.ChecksumType;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import com.github.shyiko.mysql.binlog.io.ByteArrayInputStream;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The artificial events a dump thread sends (fake rotate, FDE, heartbeat) decode as a replica client sees them. */
class ReplicationStreamEventsTest {
    @Test
    void artificialRotateFormatDescriptionAndHeartbeatDecode() throws IOException {
        EventBuffer out = new EventBuffer(64);
        out.reset(0);
        RotateEventEncoder.writeArtificial(out, 9, "binlog.000042", 1234);
        FormatDescriptionEventEncoder.writeArtificial(out, 9);
        HeartbeatEventEncoder.write(out, 9, "binlog.000042", 5678);
        EventDeserializer deserializer = new EventDeserializer();
        deserializer.setChecksumType(ChecksumType.CRC32);
        ByteArrayInputStream in = new ByteArrayInputStream(Arrays.copyOf(out.array(), out.length()));

        Event rotate = deserializer.nextEvent(in);
        assertEquals(EventType.ROTATE, rotate.getHeader().getEventType());
        RotateEventData r = rotate.getData();
        assertEquals("binlog.000042", r.getBinlogFilename());
        assertEquals(1234, r.getBinlogPosition());
        assertEquals(0, ((EventHeaderV4) rotate.getHeader()).getNextPosition());
        assertEquals(EventHeader.FLAG_ARTIFICIAL, ((EventHeaderV4) rotate.getHeader()).getFlags());

        Event fde = deserializer.nextEvent(in);
        assertEquals("8.0.36-gbinlog", ((FormatDescriptionEventData) fde.getData()).getServerVersion());
        assertEquals(0, ((EventHeaderV4) fde.getHeader()).getNextPosition());

        Event heartbeat = deserializer.nextEvent(in);
        assertEquals(EventType.HEARTBEAT, heartbeat.getHeader().getEventType());
        assertEquals(5678, ((EventHeaderV4) heartbeat.getHeader()).getNextPosition());
        assertEquals(0, in.available());
    }
}
