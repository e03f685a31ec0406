package io.gbinlog.protocol.binlog;

/**
 * TABLE_MAP_EVENT re-encoded from the raw event body a data node wrote (post-header and payload, without
 * common header and checksum). Column types, their metadata and the null bitmap are copied untouched; the table id
 * and, when given, the database and table names change. Optional metadata the data node appended is dropped (it
 * would describe the physical table): when a {@link TableMetadataEncoder} is given, its fields take that place.
 * MariaDB and MySQL share this layout.
 */
public final class TableMapEventEncoder {
    private static final int POST_HEADER_LENGTH = 8;

    private TableMapEventEncoder() {
    }

    /**
     * @param db       new database name (UTF-8, at most 64 bytes), or null to keep the data node's
     * @param table    new table name (UTF-8, at most 64 bytes), or null to keep the data node's
     * @param metadata the optional metadata to write, or null for none
     * @throws IllegalArgumentException when the body is cut short, or {@code metadata} has another column count
     */
    public static void write(EventBuffer out, long timestampSeconds, long serverId, byte[] rawBody, int off, int len,
                             long tableId, byte[] db, byte[] table, TableMetadataEncoder metadata) {
        TableIds.check(tableId);
        int end = off + len;
        int dbLengthAt = off + POST_HEADER_LENGTH;
        int rawDbLength = byteAt(rawBody, dbLengthAt, end);
        int tableLengthAt = dbLengthAt + 1 + rawDbLength + 1;
        int rawTableLength = byteAt(rawBody, tableLengthAt, end);
        int defsAt = tableLengthAt + 1 + rawTableLength + 1;
        long columnCount = packedAt(rawBody, defsAt, end);
        int typesAt = defsAt + packedLength(rawBody, defsAt);
        int metaLengthAt = typesAt + (int) columnCount;
        long metaLength = packedAt(rawBody, metaLengthAt, end);
        int metaAt = metaLengthAt + packedLength(rawBody, metaLengthAt);
        long nullBitsEnd = metaAt + metaLength + (columnCount + 7) / 8;
        if (nullBitsEnd > end) {
            throw new IllegalArgumentException("table map body of " + len + " bytes ends inside its " + columnCount
                    + " column definitions");
        }
        byte[] fields = metadata == null ? null
                : metadata.fields(rawBody, defsAt, typesAt, (int) columnCount, metaAt, metaAt + (int) metaLength);
        int start = out.beginEvent(EventType.TABLE_MAP, timestampSeconds, serverId, 0);
        out.writeInt48(tableId);
        out.writeBytes(rawBody, off + 6, 2); // flags
        writeName(out, db, rawBody, dbLengthAt + 1, rawDbLength, "database");
        writeName(out, table, rawBody, tableLengthAt + 1, rawTableLength, "table");
        out.writeBytes(rawBody, defsAt, (int) nullBitsEnd - defsAt);
        if (fields != null) {
            out.writeBytes(fields);
        }
        out.endEvent(start);
    }

    /** The number of columns a raw table map body describes. */
    public static int columnCount(byte[] rawBody, int off, int len) {
        int end = off + len;
        int dbLengthAt = off + POST_HEADER_LENGTH;
        int tableLengthAt = dbLengthAt + 1 + byteAt(rawBody, dbLengthAt, end) + 1;
        int defsAt = tableLengthAt + 1 + byteAt(rawBody, tableLengthAt, end) + 1;
        return (int) packedAt(rawBody, defsAt, end);
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

    private static int byteAt(byte[] raw, int at, int end) {
        if (at >= end) {
            throw new IllegalArgumentException("table map body is cut short at byte " + at);
        }
        return raw[at] & 0xff;
    }

    /** A length-encoded integer (column count, metadata length: at most three bytes in practice). */
    private static long packedAt(byte[] raw, int at, int end) {
        int first = byteAt(raw, at, end);
        int length = packedLength(raw, at);
        if (at + length > end) {
            throw new IllegalArgumentException("table map body is cut short at byte " + at);
        }
        if (first < 0xfb) {
            return first;
        }
        if (first == 0xfb || first == 0xfe) {
            throw new IllegalArgumentException("table map body holds a length-encoded integer 0x"
                    + Integer.toHexString(first) + " where a column count or metadata length belongs");
        }
        long v = 0;
        for (int i = length - 1; i >= 1; i--) {
            v = v << 8 | (raw[at + i] & 0xff);
        }
        return v;
    }

    private static int packedLength(byte[] raw, int at) {
        return switch (raw[at] & 0xff) {
            case 0xfc -> 3;
            case 0xfd -> 4;
            case 0xfe -> 9;
            default -> 1;
        };
    }
}
