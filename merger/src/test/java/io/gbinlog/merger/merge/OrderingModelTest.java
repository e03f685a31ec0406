package io.gbinlog.merger.merge;

import io.gbinlog.collector.ordering.Gtrid;
import io.gbinlog.collector.ordering.ProtocolViolationException;
import io.gbinlog.collector.ordering.SortKey;
import io.gbinlog.collector.ordering.StreamCheckpoint;
import io.gbinlog.merger.merge.BruteForceOrder.Expected;
import io.gbinlog.merger.merge.ClusterHistory.Event;
import io.gbinlog.merger.merge.ClusterHistory.Kind;
import io.gbinlog.merger.merge.ClusterHistory.Shape;
import io.gbinlog.merger.merge.ClusterHistory.Violation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Model-based test of the ordering rule (design §3) and of restart (§5): random protocol-following cluster
 * histories, some starting midway as a first start does, fed in random cross-stream interleavings.
 * <ul>
 *   <li>Without a crash the output must be exactly {@link BruteForceOrder}'s list, checked as it grows: each
 *       transaction emitted at a G at least its key, keys strictly increasing.</li>
 *   <li>With crashes: checkpoints are taken at random moments and some of them persisted, as the pipeline
 *       persists a checkpoint together with the transactions it covers; a crash throws away the merger and
 *       every transaction after the last persisted checkpoint, and a merger resumed from that checkpoint is
 *       fed each stream again from its restart position, in a new interleaving and with other probes. The
 *       output of all incarnations together must hold every expected transaction exactly once, whole, in
 *       increasing key order; a local read again may get another key than the reference's, never one
 *       below the cts of what its data node committed before it.</li>
 *   <li>Always: the output respects {@link SafetyOracle} (from the generator's clock, not from §3), and so
 *       does the reference; once everything is out nothing is held and no stream pins an old position.</li>
 *   <li>Histories that break the protocol once: the merger reports the culprit (an exception naming it, or a
 *       holdup) and never emits it wrongly.</li>
 * </ul>
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

    @Test
    void protocolViolationsAreReportedNeverEmitted() {
        long base = SEED != null ? SEED : new Random().nextLong();
        System.out.println("OrderingModelTest.protocolViolationsAreReportedNeverEmitted seed=" + base);
        int count = SEED != null ? 1 : 800;
        int checked = 0;
        for (int i = 0; i < count; i++) {
            long seed = base + i;
            Random rnd = new Random(seed);
            Violation violation = Violation.values()[(int) Math.floorMod(seed, (long) Violation.values().length)];
            ClusterHistory history = ClusterHistory.generate(rnd,
                    new Shape(2 + rnd.nextInt(3), 5 + rnd.nextInt(40)), false, violation);
            if (history.violator != null) {
                new ViolationFeed(history, rnd, "seed " + seed + " (-Dseed=" + seed
                        + " -Dtest=OrderingModelTest#protocolViolationsAreReportedNeverEmitted), " + violation).run();
                checked++;
            }
        }
        System.out.println("OrderingModelTest.protocolViolationsAreReportedNeverEmitted: " + checked + " histories");
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
        int crashes = 0;
        for (int i = 0; i < count; i++) {
            long seed = base + i;
            Random rnd = new Random(seed);
            ClusterHistory history = ClusterHistory.generate(rnd, shapes.of(rnd), rnd.nextInt(3) == 0, null);
            List<Expected> expected = BruteForceOrder.of(history);
            String name = "seed " + seed + " (-Dseed=" + seed + " -Dtest=OrderingModelTest#" + test + ")";
            List<Object> reference = new ArrayList<>();
            expected.forEach(e -> reference.add(identity(e)));
            String unsafe = SafetyOracle.check(history, reference);
            if (unsafe != null) {
                throw new AssertionError(name + ": the reference order of design §3 itself is unsafe: " + unsafe);
            }
            for (int r = 0; r < interleavings; r++) {
                Feed feed = new Feed(history, expected, rnd, name + ", interleaving " + r, r == 0 ? 0 : 1 + rnd.nextInt(4));
                feed.run();
                events += feed.fed;
                crashes += feed.crashes;
            }
        }
        System.out.println("OrderingModelTest." + test + ": " + events + " events checked, " + crashes + " crashes");
    }

    static Object identity(Expected e) {
        return e.kind() == 0 ? e.gtrid() : e.payloads()[0];
    }

    static Object identity(GlobalTransaction<Object> tx) {
        return tx.isDistributed() ? tx.gtrid().toString() : tx.payload(0);
    }

    static void feed(TransactionMerger<Object> merger, int k, Event e) {
        switch (e.kind()) {
            case PREPARED -> merger.prepared(k, e.position(), Gtrid.of(e.gtrid()), e.payload());
            case COMMITTED -> merger.committed(k, e.position(), Gtrid.of(e.gtrid()));
            case ROLLED_BACK -> merger.rolledBack(k, e.position(), Gtrid.of(e.gtrid()));
            case LOCAL -> merger.localCommit(k, e.position(), e.payload());
            case COMMIT_LOG_ROW -> merger.commitLogRow(k, e.position(), Gtrid.of(e.gtrid()), e.value(), e.participants());
            case PROBE -> merger.probeReached(k, e.value());
        }
    }

    static List<String> nodes(ClusterHistory history) {
        List<String> nodes = new ArrayList<>();
        for (int k = 0; k < history.streams.size(); k++) {
            nodes.add(ClusterHistory.node(k));
        }
        return nodes;
    }

    /** Picks streams at changing relative speeds: a primary may lag far behind, an idle stream sit on its probes. */
    private static final class Scheduler {
        final Random rnd;
        final int[] speed;
        int picks;

        Scheduler(Random rnd, int streams) {
            this.rnd = rnd;
            this.speed = new int[streams];
        }

        int pick(int[] next, List<List<Event>> streams) {
            if (picks++ % 64 == 0) {
                for (int k = 0; k < speed.length; k++) {
                    speed[k] = rnd.nextInt(3) == 0 ? 1 : 1 + rnd.nextInt(20);
                }
            }
            int sum = 0;
            for (int k = 0; k < speed.length; k++) {
                if (next[k] < streams.get(k).size()) {
                    sum += speed[k];
                }
            }
            if (sum == 0) {
                return -1;
            }
            int r = rnd.nextInt(sum);
            for (int k = 0; ; k++) {
                if (next[k] < streams.get(k).size()) {
                    r -= speed[k];
                    if (r < 0) {
                        return k;
                    }
                }
            }
        }
    }

    /** Feeds one history in one random interleaving, crashing and resuming as told, and checks every emission. */
    private static final class Feed {
        final ClusterHistory history;
        final List<Expected> expected;
        final Map<Object, Expected> expectedById = new HashMap<>();
        final Map<Object, Long> commitFloors;
        final Random rnd;
        final String name;
        final List<String> nodes;
        final int[] next;
        /** Per stream: events before this index were read by an earlier incarnation. */
        final int[] readBefore;
        final List<String> recent = new ArrayList<>();
        final List<GlobalTransaction<Object>> output = new ArrayList<>();
        final Set<Object> outputIds = new HashSet<>();
        TransactionMerger<Object> merger;
        int crashesLeft;
        int crashes;
        long fed;
        /** The checkpoint persisted last, with the number of transactions it covers. */
        byte[] persisted;
        int persistedCount;

        Feed(ClusterHistory history, List<Expected> expected, Random rnd, String name, int crashes) {
            this.history = history;
            this.expected = expected;
            this.rnd = rnd;
            this.name = name;
            this.crashesLeft = crashes;
            this.nodes = nodes(history);
            this.next = new int[nodes.size()];
            this.readBefore = new int[nodes.size()];
            this.commitFloors = crashes > 0 ? BruteForceOrder.commitFloors(history) : Map.of();
            expected.forEach(e -> expectedById.put(identity(e), e));
        }

        void run() {
            List<StreamCheckpoint> starts = new ArrayList<>();
            for (int k = 0; k < nodes.size(); k++) {
                starts.add(StreamCheckpoint.firstStart(history.startPositions[k], history.beforeCut[k], history.afterCut[k]));
            }
            EngineCheckpoint first = EngineCheckpoint.firstStart(nodes, history.cut, starts, history.decisions);
            persisted = first.encode();
            merger = TransactionMerger.resume(nodes, first, this::check);
            Scheduler scheduler = new Scheduler(rnd, nodes.size());
            int between = Math.max(1, history.size() / (4 + 4 * crashesLeft));
            for (int k; (k = scheduler.pick(next, history.streams)) >= 0; ) {
                int index = next[k]++;
                Event e = history.streams.get(k).get(index);
                if (e.kind() == Kind.PROBE && index < readBefore[k] && index < history.streams.get(k).size() - 1
                        && rnd.nextBoolean()) {
                    continue; // a probe seen before the crash: read again, the stream may or may not get one there
                }
                remember("stream " + k + " " + e);
                try {
                    feed(merger, k, e);
                } catch (RuntimeException engineError) {
                    fail("the engine threw " + engineError);
                }
                fed++;
                if (crashesLeft > 0 || crashes > 0) {
                    if (rnd.nextInt(between / 8 + 1) == 0) {
                        checkpoint();
                    }
                    if (crashesLeft > 0 && rnd.nextInt(between) == 0) {
                        crash();
                    }
                }
            }
            finish();
        }

        /** The pipeline takes a checkpoint between input calls and persists some, together with what they cover. */
        void checkpoint() {
            EngineCheckpoint checkpoint = merger.checkpoint();
            byte[] bytes = checkpoint.encode();
            if (!EngineCheckpoint.decode(bytes).equals(checkpoint)) {
                fail("the checkpoint does not survive its binary form: " + checkpoint);
            }
            if (rnd.nextInt(3) != 0) {
                persisted = bytes;
                persistedCount = output.size();
            }
        }

        void crash() {
            crashesLeft--;
            crashes++;
            remember("CRASH back to the checkpoint after " + persistedCount + " transactions");
            while (output.size() > persistedCount) {
                outputIds.remove(identity(output.remove(output.size() - 1)));
            }
            EngineCheckpoint checkpoint = EngineCheckpoint.decode(persisted);
            SortKey last = output.isEmpty() ? null : output.get(output.size() - 1).key();
            if (last == null ? checkpoint.lastEmittedKey() != null : !last.equals(checkpoint.lastEmittedKey())) {
                fail("the checkpoint's last key " + checkpoint.lastEmittedKey() + " is not that of the last transaction it covers, " + last);
            }
            merger = TransactionMerger.resume(nodes, checkpoint, this::check);
            remember("resumed from " + checkpoint);
            for (int k = 0; k < nodes.size(); k++) {
                readBefore[k] = Math.max(readBefore[k], next[k]);
                next[k] = restartIndex(k, checkpoint.stream(k));
            }
        }

        int restartIndex(int k, StreamCheckpoint stream) {
            if (stream.readUpTo() == StreamCheckpoint.NONE) {
                return 0;
            }
            List<Event> events = history.streams.get(k);
            for (int i = 0; i < events.size(); i++) {
                if (events.get(i).kind() != Kind.PROBE && events.get(i).position() == stream.restartPosition()) {
                    return i;
                }
            }
            fail("stream " + k + " restart position " + stream.restartPosition() + " is the position of no event");
            return -1;
        }

        void finish() {
            if (output.size() != expected.size()) {
                Expected missing = expected.stream().filter(e -> !outputIds.contains(identity(e))).findFirst().orElse(null);
                fail("after the all-quiet probes " + output.size() + " of " + expected.size()
                        + " transactions are out; missing for example " + missing
                        + "; G=" + merger.globalWatermark() + "; holdups " + merger.holdups(0));
            }
            List<Object> ids = new ArrayList<>();
            output.forEach(tx -> ids.add(identity(tx)));
            String unsafe = SafetyOracle.check(history, ids);
            if (unsafe != null) {
                fail("unsafe order: " + unsafe);
            }
            if (!merger.holdups(0).isEmpty()) {
                fail("held after draining: " + merger.holdups(0));
            }
            for (int k = 0; k < nodes.size(); k++) {
                long last = history.startPositions[k];
                for (Event e : history.streams.get(k)) {
                    last = e.kind() == Kind.PROBE ? last : e.position();
                }
                if (merger.restartPosition(k) != last) {
                    fail("stream " + k + " pins restart position " + merger.restartPosition(k)
                            + " with everything out; the last event is at " + last);
                }
            }
            if (history.cut == 0 && merger.orphanResolutions() != 0) {
                fail(merger.orphanResolutions() + " orphan resolutions without a first start cut");
            }
        }

        void check(GlobalTransaction<Object> tx) {
            Object id = identity(tx);
            SortKey key = tx.key();
            Expected want = crashes == 0
                    ? (output.size() < expected.size() ? expected.get(output.size()) : null)
                    : expectedById.get(id);
            if (want == null || !identity(want).equals(id)) {
                fail("output #" + output.size() + " is " + tx + " " + payloads(tx) + " but expected "
                        + (crashes == 0 ? want : "no such transaction (left out at the cut " + history.cut + "?)"));
            }
            if (outputIds.contains(id)) {
                fail("output #" + output.size() + " " + tx + " is a duplicate");
            }
            boolean same = tx.size() == want.streams().length;
            for (int i = 0; same && i < tx.size(); i++) {
                same = tx.stream(i) == want.streams()[i] && tx.payload(i) == want.payloads()[i];
            }
            if (key.isLocal() && crashes > 0) {
                // Read again after a restart, a local may miss a probe (a lower floor) or see one count earlier,
                // the branches taken before being skipped (a higher one): never below what its node committed
                // before it. The safety oracle checks the order that results.
                same &= key.stream() == want.stream() && key.position() == want.position()
                        && key.timestamp() >= commitFloors.get(id) && !key.coveredBy(history.cut);
            } else {
                same &= key.timestamp() == want.timestamp() && key.isLocal() == (want.kind() == 1)
                        && (key.isLocal() ? key.stream() == want.stream() && key.position() == want.position()
                                          : key.gtrid().equals(Gtrid.of(want.gtrid())));
            }
            if (!same) {
                fail("output #" + output.size() + " is " + tx + " " + payloads(tx) + " but expected " + want);
            }
            SortKey last = output.isEmpty() ? null : output.get(output.size() - 1).key();
            if (last != null && key.compareTo(last) <= 0) {
                fail("output #" + output.size() + " key " + key + " does not follow " + last);
            }
            if (!key.coveredBy(merger.globalWatermark())) {
                fail("output #" + output.size() + " " + key + " emitted while G=" + merger.globalWatermark());
            }
            output.add(tx);
            outputIds.add(id);
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

    /**
     * Feeds a history that breaks the protocol once: the merger must stop with an exception naming the culprit
     * or hold it (a holdup names it); it never emits it, and what it emits before stays in key order, once each.
     */
    private static final class ViolationFeed {
        final ClusterHistory history;
        final Random rnd;
        final String name;
        final Set<Object> emitted = new HashSet<>();
        SortKey last;

        ViolationFeed(ClusterHistory history, Random rnd, String name) {
            this.history = history;
            this.rnd = rnd;
            this.name = name;
        }

        void run() {
            List<String> nodes = nodes(history);
            Consumer<GlobalTransaction<Object>> sink = tx -> {
                Object id = identity(tx);
                boolean firstUse = history.violation == Violation.REUSED_GTRID && tx.payload(0).toString().indexOf("-again") < 0;
                if (id.equals(history.violator) && !firstUse || !emitted.add(id) || last != null && tx.key().compareTo(last) <= 0) {
                    throw new AssertionError(name + ": emitted " + tx + " " + payloads(tx) + " (violator " + history.violator + ")");
                }
                last = tx.key();
            };
            TransactionMerger<Object> merger = TransactionMerger.resume(nodes,
                    EngineCheckpoint.firstStart(nodes, history.startPositions), sink);
            int[] next = new int[nodes.size()];
            Scheduler scheduler = new Scheduler(rnd, nodes.size());
            try {
                for (int k; (k = scheduler.pick(next, history.streams)) >= 0; ) {
                    feed(merger, k, history.streams.get(k).get(next[k]++));
                }
            } catch (ProtocolViolationException e) {
                if (!e.getMessage().contains("'" + history.violator + "'")) {
                    throw new AssertionError(name + ": the violation reported is not about " + history.violator, e);
                }
                return;
            }
            if (merger.holdups(0).stream().noneMatch(h -> h.gtrid().toString().equals(history.violator))) {
                throw new AssertionError(name + ": " + history.violator + " broke the protocol unnoticed; holdups "
                        + merger.holdups(0));
            }
        }
    }

    static String payloads(GlobalTransaction<Object> tx) {
        List<Object> p = new ArrayList<>();
        for (int i = 0; i < tx.size(); i++) {
            p.add(tx.payload(i));
        }
        return p.toString();
    }
}
