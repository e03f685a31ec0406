package io.gbinlog.protocol.binlog;

/**
 * Where a global transaction's commit timestamp (TSO) lives in the file: its first statement text starts with
 * {@code /* gbinlog cts=<n> *}{@code /}. In a row transaction that text is a rows-query event right after
 * BEGIN; in a DDL it prefixes the statement of the query event. A comment changes nothing for a replica that
 * executes or logs it, survives every tool that copies statement text, and needs no custom status variable
 * (unknown status variables make MySQL readers stop parsing the rest). The GTID event's commit timestamp cannot
 * hold it: it is microseconds, while a TSO has a 22-bit counter below the milliseconds.
 */
public final class CtsMarker {
    /** Returned by {@link #parse} when a text does not start with a marker. */
    public static final long ABSENT = -1;

    private static final String PREFIX = "/* gbinlog cts=";
    private static final String SUFFIX = " */";

    private CtsMarker() {
    }

    /** Writes the marker text for {@code cts} (no trailing space). */
    public static void write(EventBuffer out, long cts) {
        out.writeAscii(PREFIX);
        out.writeDecimal(cts);
        out.writeAscii(SUFFIX);
    }

    /** Length in bytes of the marker text for {@code cts}. */
    public static int length(long cts) {
        int digits = 1;
        for (long x = cts / 10; x != 0; x /= 10) {
            digits++;
        }
        return PREFIX.length() + digits + SUFFIX.length();
    }

    /** The cts of a statement text starting with a marker, or {@link #ABSENT}. */
    public static long parse(byte[] buf, int off, int len) {
        if (len < PREFIX.length() + 1 + SUFFIX.length()) {
            return ABSENT;
        }
        for (int i = 0; i < PREFIX.length(); i++) {
            if (buf[off + i] != PREFIX.charAt(i)) {
                return ABSENT;
            }
        }
        long cts = 0;
        int i = off + PREFIX.length();
        int end = off + len;
        int digits = 0;
        while (i < end && buf[i] >= '0' && buf[i] <= '9' && digits < 19) {
            cts = cts * 10 + (buf[i++] - '0');
            digits++;
        }
        if (digits == 0 || end - i < SUFFIX.length()) {
            return ABSENT;
        }
        for (int k = 0; k < SUFFIX.length(); k++) {
            if (buf[i + k] != SUFFIX.charAt(k)) {
                return ABSENT;
            }
        }
        return cts;
    }
}
