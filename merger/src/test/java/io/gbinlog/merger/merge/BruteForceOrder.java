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
 * hindsight (every cts and every outcome known up front), without the engine's incremental state:
 * every committed transaction once, whole, nothing rolled back, sorted by key.
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
        Map<String, Integer> participantsOf = new HashMap<>();
        for (List<Event> stream : history.streams) {
            for (Event e : stream) {
                if (e.kind() == Kind.COMMIT_LOG_ROW && e.value() > 0) {
                    ctsOf.put(e.gtrid(), e.value());
                    participantsOf.put(e.gtrid(), e.participants());
                }
            }
        }
        List<Expected> expected = new ArrayList<>();
        Map<String, TreeMap<Integer, Object>> branches = new HashMap<>();
        for (int k = 0; k < history.streams.size(); k++) {
            expected.addAll(locals(k, history.streams.get(k), ctsOf, branches));
        }
        branches.forEach((gtrid, parts) -> {
            if (parts.size() != participantsOf.get(gtrid)) {
                throw new IllegalStateException("generator broke the protocol: " + gtrid + " committed on " + parts.keySet());
            }
            expected.add(new Expected(ctsOf.get(gtrid), 0, gtrid, -1, -1,
                    parts.keySet().stream().mapToInt(Integer::intValue).toArray(), parts.values().toArray()));
        });
        expected.sort(KEY_ORDER);
        return expected;
    }

    /**
     * Keys of stream k's local transactions. floor_k at i = the largest cts of a distributed commit
     * before i, or X of a probe before i that is effective at i: every branch prepared before the
     * probe was resolved before i. Collects k's committed branches on the way.
     */
    private static List<Expected> locals(int k, List<Event> stream, Map<String, Long> ctsOf,
                                         Map<String, TreeMap<Integer, Object>> branches) {
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
        for (int i = 0; i < n; i++) {
            Event e = stream.get(i);
            switch (e.kind()) {
                case PREPARED -> preparedPayload.put(e.gtrid(), e.payload());
                case COMMITTED -> {
                    maxCommitCts = Math.max(maxCommitCts, ctsOf.get(e.gtrid()));
                    branches.computeIfAbsent(e.gtrid(), g -> new TreeMap<>()).put(k, preparedPayload.remove(e.gtrid()));
                }
                case LOCAL -> {
                    while (nextProbe < probes.size() && probes.get(nextProbe)[0] < i) {
                        maxEffectiveProbe = Math.max(maxEffectiveProbe, probes.get(nextProbe++)[1]);
                    }
                    long floor = Math.max(maxCommitCts, maxEffectiveProbe);
                    locals.add(new Expected(floor, 1, null, k, e.position(), new int[] {k}, new Object[] {e.payload()}));
                }
                default -> { }
            }
        }
        return locals;
    }
}
