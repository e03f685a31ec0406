package io.gbinlog.collector.capture;

/**
 * The comment a coordinator puts in front of each physical DDL of a logical DDL, {@code /* gbinlog ddl_id=N *}{@code /}
 * (design §2, docs/cluster-protocol.md). Data nodes keep it at the start of the DDL's QUERY event text.
 */
final class DdlMarker {

    static final String PREFIX = "/* gbinlog ddl_id=";
    private static final String SUFFIX = " */";
    /** A {@code long} has at most 19 digits. */
    private static final int MAX_DIGITS = 19;

    private DdlMarker() {
    }

    /** The ddl_id of a statement that starts with the marker, else -1. */
    static long idOf(String sql) {
        if (!sql.startsWith(PREFIX)) {
            return -1;
        }
        int digits = PREFIX.length();
        int end = digits;
        while (end < sql.length() && end - digits < MAX_DIGITS && sql.charAt(end) >= '0' && sql.charAt(end) <= '9') {
            end++;
        }
        if (end == digits || !sql.startsWith(SUFFIX, end)) {
            return -1;
        }
        try {
            return Long.parseLong(sql, digits, end, 10);
        } catch (NumberFormatException e) {
            return -1; // beyond Long.MAX_VALUE: no id a TSO hands out
        }
    }
}
