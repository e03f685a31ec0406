package io.gbinlog.integration.collector;

import io.gbinlog.collector.capture.EventGroup;
import io.gbinlog.collector.ordering.Gtrid;
import java.util.Arrays;
import java.util.List;

/** One call a collector made to its listener. */
record Input(Kind kind, int stream, long position, Gtrid gtrid, long cts, List<String> participants,
             EventGroup payload, long tso) {

    enum Kind { PREPARED, COMMITTED, ROLLED_BACK, LOCAL, COMMIT_LOG_ROW, PROBE }

    /** The same input with the same payload bytes (payload objects differ between two reads). */
    boolean sameAs(Input o) {
        return kind == o.kind && stream == o.stream && position == o.position && java.util.Objects.equals(gtrid, o.gtrid)
                && cts == o.cts && java.util.Objects.equals(participants, o.participants) && tso == o.tso
                && samePayload(payload, o.payload);
    }

    private static boolean samePayload(EventGroup a, EventGroup b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a.size() != b.size() || a.isDdl() != b.isDdl() || a.writesDdlLog() != b.writesDdlLog()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (a.type(i) != b.type(i) || !Arrays.equals(a.buffer(), a.offset(i), a.offset(i) + a.length(i),
                    b.buffer(), b.offset(i), b.offset(i) + b.length(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        String at = "s" + stream + "@" + (position >>> 32) + ":" + (position & 0xFFFFFFFFL);
        return switch (kind) {
            case PREPARED -> "prepared(" + at + ", " + gtrid + ", " + payload + ")";
            case COMMITTED -> "committed(" + at + ", " + gtrid + ")";
            case ROLLED_BACK -> "rolledBack(" + at + ", " + gtrid + ")";
            case LOCAL -> "local(" + at + ", " + payload + ")";
            case COMMIT_LOG_ROW -> "commitLog(" + at + ", " + gtrid + ", " + cts + ", " + participants + ")";
            case PROBE -> "probe(s" + stream + ", " + tso + ")";
        };
    }
}
