package io.gbinlog.merger.merge;

import io.gbinlog.merger.merge.ClusterHistory.Event;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What any correct global binlog must respect, from the generator's global clock alone and independent of
 * the sort keys of design §3: if transaction A committed on a data node before transaction B started there
 * (B's PREPARE, or B's commit for a local transaction), B may have read A's changes, so A must come out
 * before B. Transactions left out at the first start's cut count as before everything: none may depend on
 * one that came out.
 */
final class SafetyOracle {

    private SafetyOracle() {
    }

    /**
     * Null if {@code output} (identities: gtrids and local payloads, in order) respects every such pair of
     * {@code history}, else the first pair that it breaks.
     */
    static String check(ClusterHistory history, List<Object> output) {
        Map<Object, Integer> position = new HashMap<>();
        for (int i = 0; i < output.size(); i++) {
            position.put(output.get(i), i);
        }
        Set<Object> committed = new HashSet<>();
        for (List<Event> stream : history.fullStreams) {
            for (Event e : stream) {
                if (e.kind() == ClusterHistory.Kind.COMMITTED) {
                    committed.add(e.gtrid());
                } else if (e.kind() == ClusterHistory.Kind.LOCAL) {
                    committed.add(e.payload());
                }
            }
        }
        for (int dn = 0; dn < history.fullStreams.size(); dn++) {
            // Left out at the cut: -1. Committed on this node so far: the latest in the output and which one.
            int latest = -1;
            Object latestId = null;
            for (Event e : history.fullStreams.get(dn)) {
                Object id = switch (e.kind()) {
                    case PREPARED, COMMITTED -> e.gtrid();
                    case LOCAL -> e.payload();
                    default -> null;
                };
                if (id == null) {
                    continue;
                }
                int at = position.getOrDefault(id, -1);
                boolean starts = e.kind() == ClusterHistory.Kind.PREPARED || e.kind() == ClusterHistory.Kind.LOCAL;
                if (starts && committed.contains(id) && (at == -1 ? latest != -1 : at <= latest)) {
                    return "on " + ClusterHistory.node(dn) + ", " + latestId + " (output #" + latest + ") committed before "
                            + id + " started at time " + e.time() + ", but " + id
                            + (at == -1 ? " was left out at the cut" : " is output #" + at);
                }
                if ((e.kind() == ClusterHistory.Kind.COMMITTED || e.kind() == ClusterHistory.Kind.LOCAL) && at > latest) {
                    latest = at;
                    latestId = id;
                }
            }
        }
        return null;
    }
}
