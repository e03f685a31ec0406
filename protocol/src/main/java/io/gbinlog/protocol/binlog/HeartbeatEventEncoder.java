package io.gbinlog.protocol.binlog;

import java.nio.charset.StandardCharsets;

/** HEARTBEAT_LOG_EVENT: tells an idle replica the stream is alive and where it stands (never in a file). */
public final class HeartbeatEventEncoder {
    private HeartbeatEventEncoder() {
    }

    public static void write(EventBuffer out, long serverId, String currentFile, long position) {
        int start = out.beginEvent(EventType.HEARTBEAT, 0, serverId, EventHeader.FLAG_ARTIFICIAL);
        out.writeBytes(currentFile.getBytes(StandardCharsets.UTF_8));
        out.endEvent(start, position);
    }
}
