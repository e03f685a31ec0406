package io.gbinlog.protocol.binlog;

import java.util.UUID;

/**
 * PREVIOUS_GTIDS_EVENT: the GTID set of all earlier files. A global binlog has one source UUID and gapless
 * sequence numbers, so the set is always {@code uuid:1-lastGno} (or empty before the first transaction).
 */
public final class PreviousGtidsEventEncoder {
    private PreviousGtidsEventEncoder() {
    }

    public static void write(EventBuffer out, long timestampSeconds, long serverId, UUID sid, long lastGno) {
        if (lastGno < 0) {
            throw new IllegalArgumentException("last GTID sequence number must be >= 0, was " + lastGno);
        }
        int start = out.beginEvent(EventType.PREVIOUS_GTIDS, timestampSeconds, serverId, 0);
        if (lastGno == 0) {
            out.writeInt64(0);
        } else {
            out.writeInt64(1);
            out.writeUuid(sid);
            out.writeInt64(1);
            out.writeInt64(1);
            out.writeInt64(lastGno + 1); // interval end is exclusive
        }
        out.endEvent(start);
    }
}
