package io.gbinlog.protocol.binlog;

import java.nio.charset.StandardCharsets;

/**
 * Where a global transaction's commit timestamp (TSO) lives in the file: its first statement text starts with
 * {@code /* gbinlog cts=<n> *}{@code /}, or {@code /* gbinlog cts=<n> <origin> *}{@code /} when the writer also
 * records where the transaction came from (for example {@code gtrid=6731} or {@code local=dn0:mariadb-bin.000003:1234}).
 * In a row transaction that text is a rows-query event right after BEGIN; in a DDL it prefixes the statement of the
 * query event. A comment changes nothing for a replica that executes or logs it, survives every tool that copies
 * statement text, and needs no custom status variable (unknown status variables make MySQL readers stop parsing
 * the rest). The GTID event's commit timestamp cannot hold it: it is microseconds, while a TSO has a 22-bit
 * counter below the milliseconds.
 */
public final class CtsMarker {
    /** Returned by {@link #parse} when a text does not start with a marker. */
    public static final long ABSENT = -1;
    /** Longest origin: a data-node id, a binlog file name and an offset fit easily; so does a 128-byte gtrid in hex. */
    public static final int MAX_ORIGIN_LENGTH = 300;

    private static final String PREFIX = "/* gbinlog cts=";
    private static final String SUFFIX = " */";

    private CtsMarker() {
    }

    /** Writes the marker text for {@code cts} (no trailing space). */
    public static void write(EventBuffer out, long cts) {
        write(out, cts, null);
    }

    /** Writes the marker text for {@code cts} and, when not null, {@code origin} (see {@link #checkOrigin}). */
    public static void write(EventBuffer out, long cts, String origin) {
        out.writeAscii(PREFIX);
        out.writeDecimal(cts);
        if (origin != null) {
            out.writeInt8(' ');
            out.writeAscii(origin);
        }
        out.writeAscii(SUFFIX);
    }

    /** Length in bytes of the marker text for {@code cts}. */
    public static int length(long cts) {
        return length(cts, null);
    }

    /** Length in bytes of the marker text for {@code cts} and {@code origin} (null: none). */
    public static int length(long cts, String origin) {
        int digits = 1;
        for (long x = cts / 10; x != 0; x /= 10) {
            digits++;
        }
        return PREFIX.length() + digits + (origin == null ? 0 : 1 + origin.length()) + SUFFIX.length();
    }

    /**
     * Refuses an origin that could not be read back or would end the comment early: 1..{@value #MAX_ORIGIN_LENGTH}
     * characters of {@code [A-Za-z0-9_.:=,-]}.
     */
    public static void checkOrigin(String origin) {
        if (origin.isEmpty() || origin.length() > MAX_ORIGIN_LENGTH) {
            throw new IllegalArgumentException("marker origin must be 1.." + MAX_ORIGIN_LENGTH + " characters, was "
                    + origin.length());
        }
        for (int i = 0; i < origin.length(); i++) {
            if (!isOriginChar(origin.charAt(i))) {
                throw new IllegalArgumentException("marker origin '" + origin + "' has '" + origin.charAt(i)
                        + "'; only [A-Za-z0-9_.:=,-] may appear");
            }
        }
    }

    /** The cts of a statement text starting with a marker, or {@link #ABSENT}. */
    public static long parse(byte[] buf, int off, int len) {
        int end = markerEnd(buf, off, len);
        return end < 0 ? ABSENT : digits(buf, off + PREFIX.length(), off + len);
    }

    /** The origin of a statement text starting with a marker, or null when it has none (or is no marker). */
    public static String origin(byte[] buf, int off, int len) {
        int end = markerEnd(buf, off, len);
        if (end < 0) {
            return null;
        }
        int i = off + PREFIX.length();
        while (buf[i] >= '0' && buf[i] <= '9') {
            i++;
        }
        return i == end ? null : new String(buf, i + 1, end - i - 1, StandardCharsets.US_ASCII);
    }

    /** Where the marker's closing {@code " *}{@code /"} starts, or -1 when the text does not start with a marker. */
    private static int markerEnd(byte[] buf, int off, int len) {
        if (len < PREFIX.length() + 1 + SUFFIX.length()) {
            return -1;
        }
        for (int i = 0; i < PREFIX.length(); i++) {
            if (buf[off + i] != PREFIX.charAt(i)) {
                return -1;
            }
        }
        int end = off + len;
        int i = off + PREFIX.length();
        int digits = 0;
        while (i < end && buf[i] >= '0' && buf[i] <= '9' && digits < 19) {
            i++;
            digits++;
        }
        if (digits == 0 || i == end || (buf[i] >= '0' && buf[i] <= '9')) {
            return -1;
        }
        if (buf[i] == ' ' && i + 1 < end && isOriginChar((char) buf[i + 1])) {
            int originEnd = i + 1;
            while (originEnd < end && originEnd - i - 1 < MAX_ORIGIN_LENGTH && isOriginChar((char) buf[originEnd])) {
                originEnd++;
            }
            i = originEnd;
        }
        if (end - i < SUFFIX.length()) {
            return -1;
        }
        for (int k = 0; k < SUFFIX.length(); k++) {
            if (buf[i + k] != SUFFIX.charAt(k)) {
                return -1;
            }
        }
        return i;
    }

    private static long digits(byte[] buf, int from, int end) {
        long cts = 0;
        for (int i = from; i < end && buf[i] >= '0' && buf[i] <= '9'; i++) {
            cts = cts * 10 + (buf[i] - '0');
        }
        return cts;
    }

    private static boolean isOriginChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
                || c == '_' || c == '.' || c == ':' || c == '=' || c == ',' || c == '-';
    }
}
