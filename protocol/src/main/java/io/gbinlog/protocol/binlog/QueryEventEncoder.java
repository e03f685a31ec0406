package io.gbinlog.protocol.binlog;

import java.nio.charset.StandardCharsets;

/**
 * QUERY_EVENT for {@code BEGIN} and DDL. Status variables are the few both MySQL 8.0 and MariaDB readers
 * understand: flags2 0 (autocommit, checks on), sql_mode 0, catalog "std", and charset ids 45
 * (utf8mb4_general_ci): MariaDB 10.x does not know MySQL 8.0's default collation 255 and would refuse to
 * replay a statement carrying it.
 */
public final class QueryEventEncoder {
    private static final byte[] BEGIN = "BEGIN".getBytes(StandardCharsets.US_ASCII);
    private static final int Q_FLAGS2_CODE = 0;
    private static final int Q_SQL_MODE_CODE = 1;
    private static final int Q_CHARSET_CODE = 4;
    private static final int Q_CATALOG_NZ_CODE = 6;
    private static final int UTF8MB4_GENERAL_CI = 45;
    private static final int STATUS_VARS_LENGTH = 5 + 9 + 5 + 7;
    private static final int MAX_DB_NAME_BYTES = 255;

    private QueryEventEncoder() {
    }

    public static void writeBegin(EventBuffer out, long timestampSeconds, long serverId) {
        int start = begin(out, timestampSeconds, serverId, null);
        out.writeBytes(BEGIN);
        out.endEvent(start);
    }

    /** Writes header, post-header, status vars and db; the caller appends the statement text and ends the event. */
    static int begin(EventBuffer out, long timestampSeconds, long serverId, byte[] db) {
        int dbLength = db == null ? 0 : db.length;
        if (dbLength > MAX_DB_NAME_BYTES) {
            throw new IllegalArgumentException("default database name longer than 255 bytes: " + dbLength);
        }
        int start = out.beginEvent(EventType.QUERY, timestampSeconds, serverId, 0);
        out.writeInt32(0);          // thread id
        out.writeInt32(0);          // execution time
        out.writeInt8(dbLength);
        out.writeInt16(0);          // error code
        out.writeInt16(STATUS_VARS_LENGTH);
        out.writeInt8(Q_FLAGS2_CODE);
        out.writeInt32(0);
        out.writeInt8(Q_SQL_MODE_CODE);
        out.writeInt64(0);
        out.writeInt8(Q_CATALOG_NZ_CODE);
        out.writeInt8(3);
        out.writeAscii("std");
        out.writeInt8(Q_CHARSET_CODE);
        out.writeInt16(UTF8MB4_GENERAL_CI);
        out.writeInt16(UTF8MB4_GENERAL_CI);
        out.writeInt16(UTF8MB4_GENERAL_CI);
        if (db != null) {
            out.writeBytes(db);
        }
        out.writeInt8(0);
        return start;
    }

    /** Offset of the statement text within a query event at {@code eventOffset}. */
    public static int statementOffset(byte[] buf, int eventOffset) {
        int post = eventOffset + EventHeader.LENGTH;
        int dbLength = buf[post + 8] & 0xff;
        int statusVarsLength = (buf[post + 11] & 0xff) | (buf[post + 12] & 0xff) << 8;
        return post + 13 + statusVarsLength + dbLength + 1;
    }

    /** True when the query event at {@code eventOffset} (of {@code size} bytes) is exactly {@code BEGIN}. */
    public static boolean isBegin(byte[] buf, int eventOffset, int size) {
        int text = statementOffset(buf, eventOffset);
        int textLength = eventOffset + size - EventHeader.CHECKSUM_LENGTH - text;
        return textLength == BEGIN.length
                && java.util.Arrays.equals(buf, text, text + textLength, BEGIN, 0, BEGIN.length);
    }
}
