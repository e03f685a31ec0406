package io.gbinlog.merger.pipeline;

import io.gbinlog.collector.capture.BinlogCoordinates;
import io.gbinlog.collector.ordering.Gtrid;
import io.gbinlog.collector.ordering.Holdup;
import io.gbinlog.merger.merge.TransactionMerger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Watches what holds the streams back, from the merger thread. A branch prepared for long, or a commit whose
 * commit_log row has not been read, is reported at WARN with its gtrid, data node, position and age, again every
 * {@link #REPORT_EVERY_MILLIS} while it lasts; it is never skipped.
 */
final class HoldupWatch {

    private static final Logger log = LoggerFactory.getLogger(HoldupWatch.class);

    static final long REPORT_EVERY_MILLIS = 10_000;
    /** Branches are prepared for milliseconds all the time; only what lasts this long is shown as a holdup. */
    private static final long SHOWN_AFTER_MILLIS = 1_000;

    /** One current holdup, for operators. */
    record Report(String dataNode, String gtrid, Holdup.Reason reason, BinlogCoordinates position, long ageMillis) {
        @Override
        public String toString() {
            return dataNode + " " + (reason == Holdup.Reason.PREPARED ? "prepared" : "awaits commit_log row of")
                    + " '" + gtrid + "' at " + position + " for " + ageMillis / 1000 + " s";
        }
    }

    private static final class Seen {
        final long since;
        long lastReport = Long.MIN_VALUE;
        boolean present;

        Seen(long since) {
            this.since = since;
        }
    }

    private record Key(int stream, Gtrid gtrid, Holdup.Reason reason) {
    }

    private final Streams streams;
    private final Map<Key, Seen> seen = new HashMap<>();
    private volatile List<Report> current = List.of();

    HoldupWatch(Streams streams) {
        this.streams = streams;
    }

    /** The holdups that lasted at least a second, as of the last check. Any thread. */
    List<Report> current() {
        return current;
    }

    void check(TransactionMerger<Captured> merger, long nowMillis) {
        seen.values().forEach(s -> s.present = false);
        List<Report> reports = new ArrayList<>();
        for (Holdup h : merger.holdups(0)) {
            Key key = new Key(h.stream(), h.gtrid(), h.reason());
            Seen s = seen.computeIfAbsent(key, k -> new Seen(nowMillis));
            s.present = true;
            long age = nowMillis - s.since;
            Report report = new Report(streams.id(h.stream()), h.gtrid().toString(), h.reason(),
                    streams.coordinates(h.stream(), h.position()), age);
            if (age >= SHOWN_AFTER_MILLIS) {
                reports.add(report);
            }
            if (age >= REPORT_EVERY_MILLIS && nowMillis - s.lastReport >= REPORT_EVERY_MILLIS) {
                s.lastReport = nowMillis;
                warn(report);
            }
        }
        seen.entrySet().removeIf(e -> {
            if (!e.getValue().present && e.getValue().lastReport != Long.MIN_VALUE) {
                log.info("{}: '{}' no longer holds the stream back, after {} s", streams.id(e.getKey().stream()),
                        e.getKey().gtrid(), (nowMillis - e.getValue().since) / 1000);
            }
            return !e.getValue().present;
        });
        current = List.copyOf(reports);
    }

    private void warn(Report r) {
        if (r.reason() == Holdup.Reason.PREPARED) {
            log.warn("{}: XA branch '{}' prepared at {} is neither committed nor rolled back after {} s; the global"
                    + " binlog waits for it (XA RECOVER on {} lists it; its coordinator, or its recovery, must commit"
                    + " or roll it back)", r.dataNode(), r.gtrid(), r.position(), r.ageMillis() / 1000, r.dataNode());
        } else {
            log.warn("{}: XA branch '{}' committed at {} has no __gbinlog.commit_log row after {} s, so its cts is"
                    + " unknown and the global binlog waits for it", r.dataNode(), r.gtrid(), r.position(),
                    r.ageMillis() / 1000);
        }
    }
}
