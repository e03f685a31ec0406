package io.gbinlog.protocol.binlog;

/**
 * FORMAT_DESCRIPTION_EVENT as MySQL 8.0.26+ writes it: binlog version 4, an 8.0 server version, the 41-entry
 * post-header-length table and checksum algorithm CRC32. Readers size every later event's post-header from
 * this table, so it must match the layouts the other encoders write (query 13, table map 8, rows v2 10, GTID 42).
 */
public final class FormatDescriptionEventEncoder {
    public static final String SERVER_VERSION = "8.0.36-gbinlog";
    /** The numeric form of {@link #SERVER_VERSION}, as GTID events carry it. */
    public static final int SERVER_VERSION_ID = 80036;

    private static final int BINLOG_VERSION = 4;
    private static final int SERVER_VERSION_LENGTH = 50;
    private static final int CHECKSUM_ALG_CRC32 = 1;

    /** Post-header length of event types 1..41, as in MySQL 8.0.36 (type 40 really is 40 there). */
    private static final byte[] POST_HEADER_LENGTHS = {
        0, 13, 0, 8, 0, 0, 0, 0, 4, 0,       // 1..10: start_v3, query, stop, rotate, intvar, -, -, -, append_block, -
        4, 0, 0, 0, 98, 0, 4, 26, 8, 0,      // 11..20: delete_file, -, rand, user_var, fde, xid, begin_load, exec_load, table_map, -
        0, 0, 8, 8, 8, 2, 0, 0, 0, 10,       // 21..30: -, -, rows v1 x3, incident, heartbeat, ignorable, rows_query, write_rows
        10, 10, 42, 42, 0, 18, 52, 0, 10, 40, // 31..40: update/delete rows, gtid, anon gtid, prev gtids, trx ctx, view change, xa prepare, partial update, trx payload
        0                                    // 41: heartbeat v2
    };

    private FormatDescriptionEventEncoder() {
    }

    /**
     * Writes the FDE that follows the magic bytes of a file. Its "created" field stays 0: a non-zero value tells
     * replicas the source restarted and makes them drop temporary tables, which a global binlog never means.
     */
    public static void write(EventBuffer out, long timestampSeconds, long serverId) {
        int start = begin(out, timestampSeconds, serverId, 0);
        out.endEvent(start);
    }

    /** The FDE a replication stream sends at dump start before events of a file (log_pos 0, artificial). */
    public static void writeArtificial(EventBuffer out, long serverId) {
        int start = begin(out, 0, serverId, EventHeader.FLAG_ARTIFICIAL);
        out.endEvent(start, 0);
    }

    private static int begin(EventBuffer out, long timestampSeconds, long serverId, int flags) {
        int start = out.beginEvent(EventType.FORMAT_DESCRIPTION, timestampSeconds, serverId, flags);
        out.writeInt16(BINLOG_VERSION);
        out.writeAscii(SERVER_VERSION);
        out.writeZeros(SERVER_VERSION_LENGTH - SERVER_VERSION.length());
        out.writeInt32(0);
        out.writeInt8(EventHeader.LENGTH);
        out.writeBytes(POST_HEADER_LENGTHS);
        out.writeInt8(CHECKSUM_ALG_CRC32);
        return start;
    }
}
