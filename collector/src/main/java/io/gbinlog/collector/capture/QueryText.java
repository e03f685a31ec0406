package io.gbinlog.collector.capture;

import java.nio.charset.StandardCharsets;

/**
 * The statement of a QUERY event body, read just far enough to tell transaction control (which frames a group)
 * from a DDL. Data nodes write these control statements in one canonical form, so prefix tests suffice.
 */
final class QueryText {

    /** An XA statement with the longest XID (64-byte gtrid and bqual in hex) fits easily. */
    private static final int PREFIX = 512;

    private QueryText() {
    }

    /** The first {@value #PREFIX} bytes of the statement, one char per byte. */
    static String of(byte[] body) {
        int statusVars = (body[11] & 0xff) | (body[12] & 0xff) << 8;
        int at = 13 + statusVars + (body[8] & 0xff) + 1;
        return new String(body, at, Math.min(PREFIX, body.length - at), StandardCharsets.ISO_8859_1).strip();
    }

    static boolean isBegin(String sql) {
        return sql.equalsIgnoreCase("BEGIN");
    }

    static boolean isCommit(String sql) {
        return sql.equalsIgnoreCase("COMMIT");
    }

    static boolean isRollback(String sql) {
        return sql.equalsIgnoreCase("ROLLBACK");
    }

    static boolean isXaStart(String sql) {
        return startsWith(sql, "XA START ") || startsWith(sql, "XA BEGIN ");
    }

    static boolean isXaCommit(String sql) {
        return startsWith(sql, "XA COMMIT ");
    }

    static boolean isXaRollback(String sql) {
        return startsWith(sql, "XA ROLLBACK ");
    }

    /** Statements inside a transaction that frame it or mark savepoints, and change nothing themselves. */
    static boolean isTransactionControl(String sql) {
        return isBegin(sql) || isXaStart(sql) || startsWith(sql, "XA END ") || startsWith(sql, "SAVEPOINT ")
                || startsWith(sql, "ROLLBACK TO ") || startsWith(sql, "RELEASE SAVEPOINT ");
    }

    /** The XID of an XA COMMIT or XA ROLLBACK statement. */
    static Xid xaStatementXid(String sql) {
        return Xid.parse(sql, sql.indexOf(' ', 3) + 1);
    }

    private static boolean startsWith(String sql, String prefix) {
        return sql.regionMatches(true, 0, prefix, 0, prefix.length());
    }
}
