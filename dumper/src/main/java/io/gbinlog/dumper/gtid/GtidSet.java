package io.gbinlog.dumper.gtid;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.StringJoiner;
import java.util.TreeMap;
import java.util.UUID;

/**
 * A GTID set in MySQL's text form ({@code uuid:1-5:7,uuid2:1-3}), for the GTID functions clients call
 * ({@code GTID_SUBTRACT}, {@code GTID_SUBSET}): Debezium subtracts the purged set from what it has seen.
 * Immutable; intervals kept sorted and merged, as MySQL normalises them.
 */
public final class GtidSet {

    /** A run of GNOs {@code start .. end}, both included. */
    private record Interval(long start, long end) {
    }

    private final TreeMap<String, List<Interval>> intervals;

    private GtidSet(TreeMap<String, List<Interval>> intervals) {
        this.intervals = intervals;
    }

    /**
     * Parses MySQL's text form; blanks and newlines (MySQL prints {@code ",\n"} between UUIDs) are ignored.
     *
     * @throws IllegalArgumentException naming the malformed part, as MySQL refuses it (ER_MALFORMED_GTID_SET_SPECIFICATION)
     */
    public static GtidSet parse(String text) {
        TreeMap<String, List<Interval>> bySid = new TreeMap<>();
        String compact = text.replaceAll("\\s", "");
        if (!compact.isEmpty()) {
            for (String part : compact.split(",", -1)) {
                String[] fields = part.split(":", -1);
                String sid = sid(fields[0], text);
                List<Interval> list = bySid.computeIfAbsent(sid, s -> new ArrayList<>());
                if (fields.length == 1) {
                    throw malformed(text);
                }
                for (int i = 1; i < fields.length; i++) {
                    list.add(interval(fields[i], text));
                }
            }
        }
        bySid.replaceAll((sid, list) -> merged(list));
        return new GtidSet(bySid);
    }

    /** The GTIDs of this set that {@code other} does not hold. */
    public GtidSet subtract(GtidSet other) {
        TreeMap<String, List<Interval>> result = new TreeMap<>();
        intervals.forEach((sid, own) -> {
            List<Interval> left = own;
            for (Interval cut : other.intervals.getOrDefault(sid, List.of())) {
                List<Interval> next = new ArrayList<>();
                for (Interval i : left) {
                    if (cut.end() < i.start() || cut.start() > i.end()) {
                        next.add(i);
                        continue;
                    }
                    if (i.start() < cut.start()) {
                        next.add(new Interval(i.start(), cut.start() - 1));
                    }
                    if (i.end() > cut.end()) {
                        next.add(new Interval(cut.end() + 1, i.end()));
                    }
                }
                left = next;
            }
            if (!left.isEmpty()) {
                result.put(sid, left);
            }
        });
        return new GtidSet(result);
    }

    /** True when every GTID of this set is in {@code other}. */
    public boolean isSubsetOf(GtidSet other) {
        return subtract(other).intervals.isEmpty();
    }

    /** MySQL's text form: UUIDs in order, lower case, separated by {@code ",\n"}; empty for the empty set. */
    @Override
    public String toString() {
        StringJoiner sets = new StringJoiner(",\n");
        intervals.forEach((sid, list) -> {
            StringBuilder set = new StringBuilder(sid);
            for (Interval i : list) {
                set.append(':').append(i.start());
                if (i.end() > i.start()) {
                    set.append('-').append(i.end());
                }
            }
            sets.add(set);
        });
        return sets.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GtidSet other && intervals.equals(other.intervals);
    }

    @Override
    public int hashCode() {
        return intervals.hashCode();
    }

    private static String sid(String text, String set) {
        try {
            UUID uuid = UUID.fromString(text);
            String canonical = uuid.toString();
            if (!canonical.equalsIgnoreCase(text)) {
                throw malformed(set);
            }
            return canonical.toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw malformed(set);
        }
    }

    private static Interval interval(String text, String set) {
        try {
            int dash = text.indexOf('-');
            long start = Long.parseLong(dash < 0 ? text : text.substring(0, dash));
            long end = dash < 0 ? start : Long.parseLong(text.substring(dash + 1));
            if (start < 1 || end < start) {
                throw malformed(set);
            }
            return new Interval(start, end);
        } catch (NumberFormatException e) {
            throw malformed(set);
        }
    }

    private static List<Interval> merged(List<Interval> list) {
        List<Interval> sorted = new ArrayList<>(list);
        sorted.sort((a, b) -> Long.compare(a.start(), b.start()));
        List<Interval> merged = new ArrayList<>();
        for (Interval next : sorted) {
            Interval last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && next.start() <= last.end() + 1) {
                merged.set(merged.size() - 1, new Interval(last.start(), Math.max(last.end(), next.end())));
            } else {
                merged.add(next);
            }
        }
        return merged;
    }

    private static IllegalArgumentException malformed(String set) {
        return new IllegalArgumentException("Malformed GTID set specification '" + set + "'.");
    }
}
