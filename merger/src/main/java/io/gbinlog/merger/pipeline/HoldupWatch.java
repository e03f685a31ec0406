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
 * {@link #REPORT_EVERY_MILLIS} while it lasts; it is never skipped. A commit waiting for its row is also looked up
 * in the data nodes' commit_log tables: a row found there whose cts the global binlog is already past (see
 * {@link CommitLogLookup}) is given to the merger; any other row is only reported, its stream will deliver it.
 */
final class HoldupWatch {

    private static final Logger log = LoggerFactory.getLogger(HoldupWatch.class);

    static final long REPORT_EVERY_MILLIS = 10_000;
    /** Branches are prepared for milliseconds all the time; only what lasts this long is shown as a holdup. */
    private static final long SHOWN_AFTER_MILLIS = 1_000;
    /** A commit read past the binlog end seen at start waits this long for its row before it is looked up. */
    private static final long LOOKUP_AFTER_MILLIS = 1_000;

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
        long lastLookup = Long.MIN_VALUE;
        long lastReport = Long.MIN_VALUE;
        String lookupResult = "";
        boolean present;

        Seen(long since) {
            this.since = since;
        }
    }

    private record Key(int stream, Gtrid gtrid, Holdup.Reason reason) {
    }

    private final Streams streams;
    private final CommitLogLookup lookup;
    private final long handledUpTo;
    private final Map<Key, Seen> seen = new HashMap<>();
    private volatile List<Report> current = List.of();
    private volatile long resolved;

    /**
     * @param handledUpTo distributed transactions up to this cts precede the cut or were handled by an earlier run:
     *                    a looked-up row of such a transaction is given to the merger
     */
    HoldupWatch(Streams streams, CommitLogLookup lookup, long handledUpTo) {
        this.streams = streams;
        this.lookup = lookup;
        this.handledUpTo = handledUpTo;
    }

    /** The holdups that lasted at least a second, as of the last check. Any thread. */
    List<Report> current() {
        return current;
    }

    /** Commits released by a row found in a commit_log table. Any thread. */
    long resolved() {
        return resolved;
    }

    void check(TransactionMerger<Captured> merger, long nowMillis) {
        long resolvedBefore = resolved;
        seen.values().forEach(s -> s.present = false);
        List<Report> reports = new ArrayList<>();
        for (Holdup h : merger.holdups(0)) {
            Key key = new Key(h.stream(), h.gtrid(), h.reason());
            Seen s = seen.computeIfAbsent(key, k -> new Seen(nowMillis));
            s.present = true;
            long age = nowMillis - s.since;
            if (h.reason() == Holdup.Reason.AWAITING_COMMIT_LOG && lookupDue(h, s, nowMillis)) {
                s.lastLookup = nowMillis;
                if (resolve(merger, h, s)) {
                    continue;
                }
            }
            Report report = new Report(streams.id(h.stream()), h.gtrid().toString(), h.reason(),
                    streams.coordinates(h.stream(), h.position()), age);
            if (age >= SHOWN_AFTER_MILLIS) {
                reports.add(report);
            }
            if (age >= REPORT_EVERY_MILLIS && nowMillis - s.lastReport >= REPORT_EVERY_MILLIS) {
                s.lastReport = nowMillis;
                warn(report, s);
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
        if (resolved > resolvedBefore) {
            log.info("{} commit(s) read again before their commit_log row were released by the row in a data node's"
                    + " __gbinlog.commit_log table (transactions already written, or before the cut)",
                    resolved - resolvedBefore);
        }
    }

    private boolean lookupDue(Holdup h, Seen s, long nowMillis) {
        if (s.lastLookup == Long.MIN_VALUE) {
            return h.position() < streams.endAtStart(h.stream()) || nowMillis - s.since >= LOOKUP_AFTER_MILLIS;
        }
        return nowMillis - s.lastLookup >= REPORT_EVERY_MILLIS;
    }

    /** True when the looked-up row released the stream. */
    private boolean resolve(TransactionMerger<Captured> merger, Holdup h, Seen s) {
        CommitLogLookup.Row row = lookup.find(h.gtrid());
        if (row == null) {
            s.lookupResult = "; no data node's __gbinlog.commit_log has a row for it (a coordinator that does not"
                    + " follow the protocol, or a row deleted too early)";
            return false;
        }
        if (row.cts() == 0) {
            s.lookupResult = "; " + row.dataNode() + "'s __gbinlog.commit_log decided to abort it (cts 0), yet the"
                    + " branch was committed: the coordinator broke the protocol";
            return false;
        }
        if (row.cts() > handledUpTo) {
            s.lookupResult = "; its row (cts " + row.cts() + ") is on " + row.dataNode()
                    + ", whose stream has not reached it yet";
            return false;
        }
        log.debug("{}: '{}' committed at {} is before the resume point (cts {} from {}'s commit_log table)",
                streams.id(h.stream()), h.gtrid(), streams.coordinates(h.stream(), h.position()), row.cts(),
                row.dataNode());
        merger.commitLogRow(h.stream(), h.position(), h.gtrid(), row.cts(), row.participants());
        resolved = resolved + 1; // one writer: the merger thread
        return true;
    }

    private void warn(Report r, Seen s) {
        if (r.reason() == Holdup.Reason.PREPARED) {
            log.warn("{}: XA branch '{}' prepared at {} is neither committed nor rolled back after {} s; the global"
                    + " binlog waits for it (XA RECOVER on {} lists it; its coordinator, or its recovery, must commit"
                    + " or roll it back)", r.dataNode(), r.gtrid(), r.position(), r.ageMillis() / 1000, r.dataNode());
        } else {
            log.warn("{}: XA branch '{}' committed at {} has no __gbinlog.commit_log row after {} s, so its cts is"
                    + " unknown and the global binlog waits for it{}", r.dataNode(), r.gtrid(), r.position(),
                    r.ageMillis() / 1000, s.lookupResult);
        }
    }
}
