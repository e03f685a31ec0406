package io.gbinlog.protocol.binlog;

/**
 * TABLE_MAP_EVENT re-encoded from the raw event body a data node wrote (post-header and payload, without
 * common header and checksum). Column types, metadata and null bitmap are copied untouched; only the table id
 * and, when given, the database and table names change. MariaDB and MySQL share this layout.
 */
public final class TableMapEventEncoder {
    private static final int POST_HEADER_LENGTH = 8;

    private TableMapEventEncoder() {
    }

    /**
     * @param db    new database name (UTF-8, at most 64 bytes), or null to keep the data node's
     * @param table new table name (UTF-8, at most 64 bytes), or null to keep the data node's
     */
    public static void write(EventBuffer out, long timestampSeconds, long serverId, byte[] rawBody, int off, int len,
                             long tableId, byte[] db, byte[] table) {
        TableIds.check(tableId);
        int dbLengthAt = off + POST_HEADER_LENGTH;
        int rawDbLength = byteAt(rawBody, dbLengthAt, off, len);
        int tableLengthAt = dbLengthAt + 1 + rawDbLength + 1;
        int rawTableLength = byteAt(rawBody, tableLengthAt, off, len);
        int restAt = tableLengthAt + 1 + rawTableLength + 1;
        if (restAt > off + len) {
            throw new IllegalArgumentException("table map body of " + len + " bytes ends inside the table name");
        }
        int start = out.beginEvent(EventType.TABLE_MAP, timestampSeconds, serverId, 0);
        out.writeInt48(tableId);
        out.writeBytes(rawBody, off + 6, 2); // flags
        writeName(out, db, rawBody, dbLengthAt + 1, rawDbLength, "database");
        writeName(out, table, rawBody, tableLengthAt + 1, rawTableLength, "table");
        out.writeBytes(rawBody, restAt, off + len - restAt);
        out.endEvent(start);
    }

    private static void writeName(EventBuffer out, byte[] name, byte[] raw, int rawAt, int rawLength, String what) {
        if (name == null) {
            out.writeInt8(rawLength);
            out.writeBytes(raw, rawAt, rawLength);
        } else {
            if (name.length == 0 || name.length > 64) {
                throw new IllegalArgumentException(what + " name must be 1..64 bytes, was " + name.length);
            }
            out.writeInt8(name.length);
            out.writeBytes(name);
        }
        out.writeInt8(0);
    }

    private static int byteAt(byte[] raw, int at, int off, int len) {
        if (at >= off + len) {
            throw new IllegalArgumentException("table map body of " + len + " bytes is too short");
        }
        return raw[at] & 0xff;
    }
}
