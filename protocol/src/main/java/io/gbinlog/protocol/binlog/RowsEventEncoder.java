package io.gbinlog.protocol.binlog;

/**
 * WRITE/UPDATE/DELETE_ROWS_EVENT (v2, types 30-32) re-encoded from a data node's raw event body. MariaDB writes
 * v1 events (23-25): they differ from v2 only by the 2-byte extra-data length after the flags, so conversion
 * inserts it. Row images (column count, bitmaps, rows) are copied untouched; only the table id changes.
 */
public final class RowsEventEncoder {
    private static final int V1_POST_HEADER_LENGTH = 8;
    /** extra_data_len counts its own two bytes: 2 means "no extra data". */
    private static final int NO_EXTRA_DATA = 2;

    private RowsEventEncoder() {
    }

    /**
     * @param rawType the data node's event type: 23-25 (v1) or 30-32 (v2; its extra data is kept)
     */
    public static void write(EventBuffer out, long timestampSeconds, long serverId, int rawType,
                             byte[] rawBody, int off, int len, long tableId) {
        TableIds.check(tableId);
        int type = v2Type(rawType);
        if (len < V1_POST_HEADER_LENGTH + 1) {
            throw new IllegalArgumentException("rows event body of " + len + " bytes is too short");
        }
        int start = out.beginEvent(type, timestampSeconds, serverId, 0);
        out.writeInt48(tableId);
        if (type == rawType) {
            out.writeBytes(rawBody, off + 6, len - 6);
        } else {
            out.writeBytes(rawBody, off + 6, 2); // flags (STMT_END_F etc.)
            out.writeInt16(NO_EXTRA_DATA);
            out.writeBytes(rawBody, off + V1_POST_HEADER_LENGTH, len - V1_POST_HEADER_LENGTH);
        }
        out.endEvent(start);
    }

    /** True for the row event types this encoder accepts. */
    public static boolean isRowsEvent(int type) {
        return (type >= EventType.WRITE_ROWS_V1 && type <= EventType.DELETE_ROWS_V1)
                || (type >= EventType.WRITE_ROWS && type <= EventType.DELETE_ROWS);
    }

    private static int v2Type(int rawType) {
        if (rawType >= EventType.WRITE_ROWS_V1 && rawType <= EventType.DELETE_ROWS_V1) {
            return rawType - EventType.WRITE_ROWS_V1 + EventType.WRITE_ROWS;
        }
        if (rawType >= EventType.WRITE_ROWS && rawType <= EventType.DELETE_ROWS) {
            return rawType;
        }
        if (rawType >= 166 && rawType <= 171) {
            throw new IllegalArgumentException("compressed MariaDB row event (type " + rawType
                    + "): turn log_bin_compress off on the data node");
        }
        throw new IllegalArgumentException("not a row event type: " + rawType);
    }
}
