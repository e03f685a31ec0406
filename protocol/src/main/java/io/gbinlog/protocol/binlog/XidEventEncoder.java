package io.gbinlog.protocol.binlog;

/** XID_EVENT: commits a row-based transaction. */
public final class XidEventEncoder {
    private XidEventEncoder() {
    }

    public static void write(EventBuffer out, long timestampSeconds, long serverId, long xid) {
        int start = out.beginEvent(EventType.XID, timestampSeconds, serverId, 0);
        out.writeInt64(xid);
        out.endEvent(start);
    }
}
