package io.gbinlog.merger.merge;

import io.gbinlog.collector.ordering.Gtrid;
import io.gbinlog.collector.ordering.SortKey;
import io.gbinlog.collector.ordering.StreamSorter;
import io.gbinlog.merger.merge.BruteForceOrder.Expected;
import io.gbinlog.merger.merge.ClusterHistory.Event;
import io.gbinlog.merger.merge.ClusterHistory.Shape;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Random;

/**
 * Model-based test of the ordering rule (design §3): random protocol-following cluster histories,
 * fed in random cross-stream interleavings, against {@link BruteForceOrder}. After every event the
 * output so far must be a prefix of the expected list, each distributed transaction must be emitted
 * at a G at least its cts, keys must strictly increase; after the final all-quiet probes the output
 * must be the whole list and nothing may be left pinned or held. Now and then each stream's restart
 * position is checked against the earliest event read on it whose transaction is not yet out.
 *
 * <p>Prints its seed; {@code -Dseed=N} replays the one history that seed names.
 */
class OrderingModelTest {

    private static final Long SEED = Long.getLong("seed");

    @Test
    void manySmallHistories() {
        run("manySmallHistories", 4000, 3, rnd -> new Shape(1 + rnd.nextInt(4), 1 + rnd.nextInt(30)));
    }

    @Test
    void largeHistories() {
        run("largeHistories", 3, 2, rnd -> new Shape(2 + rnd.nextInt(7), 15_000 + rnd.nextInt(15_000)));
    }

    private interface ShapeChoice {
        Shape of(Random rnd);
    }

    private static void run(String test, int histories, int interleavings, ShapeChoice shapes) {
        long base = SEED != null ? SEED : new Random().nextLong();
        System.out.println("OrderingModelTest." + test + " seed=" + base
                + (SEED != null ? " (one history)" : " (" + histories + " histories, seeds counting up from it)"));
        int count = SEED != null ? 1 : histories;
        long events = 0;
        for (int i = 0; i < count; i++) {
            long seed = base + i;
            Random rnd = new Random(seed);
            ClusterHistory history = ClusterHistory.generate(rnd, shapes.of(rnd));
            List<Expected> expected = BruteForceOrder.of(history);
            for (int r = 0; r < interleavings; r++) {
                new Feed(history, expected, rnd, "seed " + seed + " (-Dseed=" + seed + " -Dtest=OrderingModelTest#"
                        + test + "), interleaving " + r).run();
                events += history.size();
            }
        }
        System.out.println("OrderingModelTest." + test + ": " + events + " events checked");
    }

    /** Feeds one history in one random interleaving and checks every emission as it happens. */
    private static final class Feed {
        final ClusterHistory history;
        final List<Expected> expected;
        final Random rnd;
        final String name;
        final TransactionMerger<Object> merger;
        final int[] next;
        final List<String> recent = new ArrayList<>();
        final List<List<Event>> read = new ArrayList<>();
        final List<Set<String>> rolledBack = new ArrayList<>();
        final Set<String> emittedGtrids = new HashSet<>();
        final Set<Object> emittedLocals = new HashSet<>();
        int emitted;
        SortKey lastKey;

        Feed(ClusterHistory history, List<Expected> expected, Random rnd, String name) {
            this.history = history;
            this.expected = expected;
            this.rnd = rnd;
            this.name = name;
            this.next = new int[history.streams.size()];
            this.merger = new TransactionMerger<>(history.streams.size(), this::check);
            for (int k = 0; k < history.streams.size(); k++) {
                read.add(new ArrayList<>());
                rolledBack.add(new HashSet<>());
            }
        }

        void run() {
            int streams = history.streams.size();
            // Streams run at different speeds, which change now and then: a primary may lag far
            // behind the other participants' COMMITs, an idle stream may sit on its probes.
            int[] speed = new int[streams];
            int total = history.size();
            int checkEvery = Math.max(1, total / 20);
            for (int fed = 0; fed < total; fed++) {
                if (fed % 64 == 0) {
                    for (int k = 0; k < streams; k++) {
                        speed[k] = rnd.nextInt(3) == 0 ? 1 : 1 + rnd.nextInt(20);
                    }
                }
                int k = pick(speed);
                Event e = history.streams.get(k).get(next[k]++);
                remember("stream " + k + " " + e);
                try {
                    feed(k, e);
                } catch (RuntimeException engineError) {
                    fail("the engine threw " + engineError);
                }
                read.get(k).add(e);
                if (e.kind() == ClusterHistory.Kind.ROLLED_BACK) {
                    rolledBack.get(k).add(e.gtrid());
                }
                if (fed % checkEvery == 0) {
                    checkRestartPositions();
                }
            }
            if (emitted != expected.size()) {
                fail("after the all-quiet probes only " + emitted + " of " + expected.size()
                        + " transactions were emitted; next expected " + expected.get(emitted)
                        + "; G=" + merger.globalWatermark() + "; holdups " + merger.holdups(0));
            }
            for (int k = 0; k < streams; k++) {
                if (merger.restartPosition(k) != StreamSorter.NOTHING_TO_REREAD) {
                    fail("stream " + k + " still pins restart position " + merger.restartPosition(k) + " with everything emitted");
                }
            }
            if (!merger.holdups(0).isEmpty() || merger.unclaimedCommitLogRows() != 0 || merger.orphanResolutions() != 0) {
                fail("left over after draining: holdups " + merger.holdups(0) + ", unclaimed rows "
                        + merger.unclaimedCommitLogRows() + ", orphan resolutions " + merger.orphanResolutions());
            }
        }

        /**
         * A stream must be re-read from its earliest event whose transaction is not out yet and not
         * rolled back. The engine may ask for a little more: a ROLLBACK read behind a commit that
         * awaits its cts is not passed yet, so its branch still counts as prepared.
         */
        void checkRestartPositions() {
            for (int k = 0; k < read.size(); k++) {
                long needed = StreamSorter.NOTHING_TO_REREAD;
                long earliestAllowed = StreamSorter.NOTHING_TO_REREAD;
                for (Event e : read.get(k)) {
                    boolean pinned = switch (e.kind()) {
                        case PREPARED -> !emittedGtrids.contains(e.gtrid());
                        case LOCAL -> !emittedLocals.contains(e.payload());
                        case COMMIT_LOG_ROW -> e.value() > 0 && !emittedGtrids.contains(e.gtrid());
                        default -> false;
                    };
                    if (pinned) {
                        earliestAllowed = Math.min(earliestAllowed, e.position());
                        if (e.kind() != ClusterHistory.Kind.PREPARED || !rolledBack.get(k).contains(e.gtrid())) {
                            needed = Math.min(needed, e.position());
                        }
                    }
                }
                long actual = merger.restartPosition(k);
                if (actual > needed || actual < earliestAllowed) {
                    fail("stream " + k + " restart position is " + actual + ", expected " + needed
                            + (earliestAllowed < needed ? " (or down to " + earliestAllowed + ")" : ""));
                }
            }
        }

        int pick(int[] speed) {
            int sum = 0;
            for (int k = 0; k < speed.length; k++) {
                if (next[k] < history.streams.get(k).size()) {
                    sum += speed[k];
                }
            }
            int r = rnd.nextInt(sum);
            for (int k = 0; ; k++) {
                if (next[k] < history.streams.get(k).size()) {
                    r -= speed[k];
                    if (r < 0) {
                        return k;
                    }
                }
            }
        }

        void feed(int k, Event e) {
            switch (e.kind()) {
                case PREPARED -> merger.prepared(k, e.position(), Gtrid.of(e.gtrid()), e.payload());
                case COMMITTED -> merger.committed(k, e.position(), Gtrid.of(e.gtrid()));
                case ROLLED_BACK -> merger.rolledBack(k, e.position(), Gtrid.of(e.gtrid()));
                case LOCAL -> merger.localCommit(k, e.position(), e.payload());
                case COMMIT_LOG_ROW -> merger.commitLogRow(k, e.position(), Gtrid.of(e.gtrid()), e.value(), e.participants());
                case PROBE -> merger.probeReached(k, e.value());
            }
        }

        void check(GlobalTransaction<Object> tx) {
            if (emitted >= expected.size()) {
                fail("emitted " + tx + " beyond the " + expected.size() + " expected transactions");
            }
            Expected want = expected.get(emitted);
            SortKey key = tx.key();
            boolean same = key.timestamp() == want.timestamp()
                    && key.isLocal() == (want.kind() == 1)
                    && (key.isLocal()
                        ? key.stream() == want.stream() && key.position() == want.position()
                        : key.gtrid().equals(Gtrid.of(want.gtrid())))
                    && tx.size() == want.streams().length;
            for (int i = 0; same && i < tx.size(); i++) {
                same = tx.stream(i) == want.streams()[i] && tx.payload(i) == want.payloads()[i];
            }
            if (!same) {
                fail("output #" + emitted + " is " + tx + " " + payloads(tx) + " but expected " + want);
            }
            if (lastKey != null && key.compareTo(lastKey) <= 0) {
                fail("output #" + emitted + " key " + key + " does not follow " + lastKey);
            }
            if (!key.coveredBy(merger.globalWatermark())) {
                fail("output #" + emitted + " " + key + " emitted while G=" + merger.globalWatermark());
            }
            lastKey = key;
            emitted++;
            if (key.isLocal()) {
                emittedLocals.add(tx.payload(0));
            } else {
                emittedGtrids.add(key.gtrid().toString());
            }
        }

        static String payloads(GlobalTransaction<Object> tx) {
            List<Object> p = new ArrayList<>();
            for (int i = 0; i < tx.size(); i++) {
                p.add(tx.payload(i));
            }
            return p.toString();
        }

        void remember(String event) {
            if (recent.size() == 12) {
                recent.remove(0);
            }
            recent.add(event);
        }

        void fail(String what) {
            throw new AssertionError(name + ": " + what + "\n  last events fed:\n    " + String.join("\n    ", recent));
        }
    }
}
