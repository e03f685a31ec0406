package io.gbinlog.merger.merge;

import io.gbinlog.merger.merge.ClusterHistory.Event;
import io.gbinlog.merger.merge.ClusterHistory.Kind;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The expected global binlog of a whole history, computed from the definitions of design §3 with
 * hindsight (every cts and every outcome known up front, every binlog read from its beginning), without
 * the engine's incremental state: every committed transaction above the first start's cut once, whole,
 * nothing rolled back, sorted by key.
 */
final class BruteForceOrder {

    /** An expected transaction: key {@code (timestamp, kind, gtrid | stream, position)} and its parts by stream. */
    record Expected(long timestamp, int kind, String gtrid, int stream, long position, int[] streams, Object[] payloads) {
        @Override
        public String toString() {
            String key = kind == 0 ? "(" + timestamp + ",0," + gtrid + ")" : "(" + timestamp + ",1," + stream + "," + position + ")";
            return key + " from stream" + Arrays.toString(streams) + " " + Arrays.toString(payloads);
        }
    }

    static final Comparator<Expected> KEY_ORDER = Comparator.comparingLong(Expected::timestamp)
            .thenComparingInt(Expected::kind)
            .thenComparing(e -> e.gtrid() == null ? "" : e.gtrid())
            .thenComparingInt(Expected::stream)
            .thenComparingLong(Expected::position);

    private BruteForceOrder() {
    }

    static List<Expected> of(ClusterHistory history) {
        Map<String, Long> ctsOf = new HashMap<>();
        Map<String, List<String>> participantsOf = new HashMap<>();
        for (List<Event> stream : history.fullStreams) {
            for (Event e : stream) {
                if (e.kind() == Kind.COMMIT_LOG_ROW && e.value() > 0) {
                    ctsOf.put(e.gtrid(), e.value());
                    participantsOf.put(e.gtrid(), e.participants());
                }
            }
        }
        List<Expected> expected = new ArrayList<>();
        Map<String, TreeMap<Integer, Object>> branches = new HashMap<>();
        for (int k = 0; k < history.fullStreams.size(); k++) {
            expected.addAll(locals(k, history.fullStreams.get(k), ctsOf, branches, history.cut, history.afterCut[k]));
        }
        branches.forEach((gtrid, parts) -> {
            // A participant whose branch changed nothing has no events: 1 <= branches <= participants.
            for (int k : parts.keySet()) {
                if (!participantsOf.get(gtrid).contains(ClusterHistory.node(k))) {
                    throw new IllegalStateException("generator broke the protocol: " + gtrid + " committed on " + parts.keySet());
                }
            }
            expected.add(new Expected(ctsOf.get(gtrid), 0, gtrid, -1, -1,
                    parts.keySet().stream().mapToInt(Integer::intValue).toArray(), parts.values().toArray()));
        });
        // A first start leaves out every key <= (cut, 0, ...); a local at the cut's value cannot be (TSO values are unique).
        expected.removeIf(e -> e.timestamp() < history.cut || e.timestamp() == history.cut && e.kind() == 0);
        expected.sort(KEY_ORDER);
        return expected;
    }

    /** For each local transaction (by payload): the largest cts of a distributed commit before it on its data node. */
    static Map<Object, Long> commitFloors(ClusterHistory history) {
        Map<String, Long> ctsOf = new HashMap<>();
        for (List<Event> stream : history.fullStreams) {
            for (Event e : stream) {
                if (e.kind() == Kind.COMMIT_LOG_ROW && e.value() > 0) {
                    ctsOf.put(e.gtrid(), e.value());
                }
            }
        }
        Map<Object, Long> floors = new HashMap<>();
        for (List<Event> stream : history.fullStreams) {
            long max = 0;
            for (Event e : stream) {
                if (e.kind() == Kind.COMMITTED) {
                    max = Math.max(max, ctsOf.get(e.gtrid()));
                } else if (e.kind() == Kind.LOCAL) {
                    floors.put(e.payload(), max);
                }
            }
        }
        return floors;
    }

    /**
     * Keys of stream k's local transactions. floor_k at i = the largest cts of a distributed commit
     * before i, or X of a probe before i that is effective at i: every branch prepared before the
     * probe was resolved before i. A first start with a cut keeps the locals after the binlog end read
     * right after the cut or after a commit above the cut, their floor at least the cut, and leaves out
     * the others. Collects k's committed branches on the way.
     */
    private static List<Expected> locals(int k, List<Event> stream, Map<String, Long> ctsOf,
                                         Map<String, TreeMap<Integer, Object>> branches, long cut, long afterCut) {
        int n = stream.size();
        long[] resolvedAt = new long[n];
        Map<String, Integer> open = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Event e = stream.get(i);
            switch (e.kind()) {
                case PREPARED -> {
                    open.put(e.gtrid(), i);
                    resolvedAt[i] = Long.MAX_VALUE;
                }
                case COMMITTED, ROLLED_BACK -> resolvedAt[open.remove(e.gtrid())] = i;
                default -> { }
            }
        }
        // A probe at j is effective from ordinal max(j, resolution of every branch prepared before j).
        List<long[]> probes = new ArrayList<>();
        long lastResolution = -1;
        for (int j = 0; j < n; j++) {
            Event e = stream.get(j);
            if (e.kind() == Kind.PROBE) {
                probes.add(new long[] {Math.max(j, lastResolution), e.value()});
            } else if (e.kind() == Kind.PREPARED) {
                lastResolution = Math.max(lastResolution, resolvedAt[j]);
            }
        }
        probes.sort(Comparator.comparingLong(p -> p[0]));

        List<Expected> locals = new ArrayList<>();
        Map<String, Object> preparedPayload = new HashMap<>();
        long maxCommitCts = 0;
        long maxEffectiveProbe = 0;
        int nextProbe = 0;
        long keptFrom = afterCut;
        for (int i = 0; i < n; i++) {
            Event e = stream.get(i);
            switch (e.kind()) {
                case PREPARED -> preparedPayload.put(e.gtrid(), e.payload());
                case COMMITTED -> {
                    maxCommitCts = Math.max(maxCommitCts, ctsOf.get(e.gtrid()));
                    if (ctsOf.get(e.gtrid()) > cut && e.position() < keptFrom) {
                        keptFrom = e.position() + 1;
                    }
                    branches.computeIfAbsent(e.gtrid(), g -> new TreeMap<>()).put(k, preparedPayload.remove(e.gtrid()));
                }
                case LOCAL -> {
                    while (nextProbe < probes.size() && probes.get(nextProbe)[0] < i) {
                        maxEffectiveProbe = Math.max(maxEffectiveProbe, probes.get(nextProbe++)[1]);
                    }
                    if (e.position() < keptFrom) {
                        continue;
                    }
                    long floor = Math.max(Math.max(maxCommitCts, maxEffectiveProbe), cut);
                    locals.add(new Expected(floor, 1, null, k, e.position(), new int[] {k}, new Object[] {e.payload()}));
                }
                default -> { }
            }
        }
        return locals;
    }
}
