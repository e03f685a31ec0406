package io.gbinlog.protocol.binlog;

import java.nio.charset.StandardCharsets;

/** ROTATE_EVENT: names the next file and the position to continue at. */
public final class RotateEventEncoder {
    private static final long FIRST_EVENT_POSITION = 4;

    private RotateEventEncoder() {
    }

    /** The last event of a file that was closed by rotation. */
    public static void write(EventBuffer out, long timestampSeconds, long serverId, String nextFile) {
        int start = out.beginEvent(EventType.ROTATE, timestampSeconds, serverId, 0);
        out.writeInt64(FIRST_EVENT_POSITION);
        out.writeBytes(nextFile.getBytes(StandardCharsets.UTF_8));
        out.endEvent(start);
    }

    /** The fake rotate a replication stream starts with: where the stream begins (timestamp and log_pos 0). */
    public static void writeArtificial(EventBuffer out, long serverId, String file, long position) {
        int start = out.beginEvent(EventType.ROTATE, 0, serverId, EventHeader.FLAG_ARTIFICIAL);
        out.writeInt64(position);
        out.writeBytes(file.getBytes(StandardCharsets.UTF_8));
        out.endEvent(start, 0);
    }
}
