package io.gbinlog.merger.writer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Binlog file names as MySQL forms them: {@code binlog.000001}, six digits at least. */
final class SegmentName {
    static final String BASE = "binlog";
    private static final Pattern NAME = Pattern.compile("binlog\\.(\\d{6,})");

    private SegmentName() {
    }

    static String of(long number) {
        return String.format("%s.%06d", BASE, number);
    }

    static boolean matches(String name) {
        return NAME.matcher(name).matches();
    }

    static long number(String name) {
        Matcher m = name == null ? null : NAME.matcher(name);
        if (m == null || !m.matches()) {
            throw new IllegalArgumentException("not a global binlog file name: '" + name + "' (expected binlog.NNNNNN)");
        }
        return Long.parseLong(m.group(1));
    }
}
