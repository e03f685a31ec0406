package io.gbinlog.merger.writer;

/**
 * Binlog file names as MySQL forms them: {@code binlog.000001}, six digits at least. Parsed by hand: every position
 * the writer makes validates its file name.
 */
final class SegmentName {
    static final String BASE = "binlog";
    private static final String PREFIX = BASE + ".";
    private static final int MIN_DIGITS = 6;
    /** More digits than a long holds are not a number this log can reach. */
    private static final int MAX_DIGITS = 18;

    private SegmentName() {
    }

    static String of(long number) {
        return String.format("%s.%06d", BASE, number);
    }

    static boolean matches(String name) {
        return parse(name) >= 0;
    }

    static long number(String name) {
        long n = parse(name);
        if (n < 0) {
            throw new IllegalArgumentException("not a global binlog file name: '" + name + "' (expected binlog.NNNNNN)");
        }
        return n;
    }

    /** The number, or -1 when {@code name} is not a binlog file name. */
    private static long parse(String name) {
        if (name == null || !name.startsWith(PREFIX)) {
            return -1;
        }
        int digits = name.length() - PREFIX.length();
        if (digits < MIN_DIGITS || digits > MAX_DIGITS) {
            return -1;
        }
        long n = 0;
        for (int i = PREFIX.length(); i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }
}
