package io.gbinlog.collector.node;

import io.gbinlog.collector.capture.BinlogCoordinates;
import io.gbinlog.collector.capture.Xid;
import io.gbinlog.collector.ordering.Gtrid;
import io.gbinlog.meta.tso.TsoClient;
import io.gbinlog.meta.config.GbinlogConfig.DataNode;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The very first start of a global binlog (design §3, "First start"): the cut X and, per data node, where to start
 * reading and the two binlog ends around the cut, taken over all data nodes in an order that matters:
 * <ol>
 *   <li>the binlog end of every data node;</li>
 *   <li>on every data node, {@code XA RECOVER} and right after it the binlog end again ({@code beforeCut}); its
 *       start is the first end moved back to the XA PREPARE of every branch listed ({@link StartPositionFinder});</li>
 *   <li>the {@code __gbinlog.commit_log} rows of the listed gtrids, from every data node's table: their rows may
 *       lie before every start position;</li>
 *   <li>the cut, a TSO value;</li>
 *   <li>the binlog end of every data node ({@code afterCut}).</li>
 * </ol>
 * Done per data node instead (end, XA RECOVER, end, next node), a branch prepared on a later node after an earlier
 * node's end was read could have its row, or its other branch, before every start: the merger would wait forever or
 * miss a branch.
 *
 * @param cut       the TSO value X; the global binlog holds the transactions ordered after it
 * @param starts    per data node, where to start reading: an event-group start
 * @param beforeCut per data node, its binlog end right after XA RECOVER
 * @param afterCut  per data node, its binlog end after the cut was read
 * @param rows      the commit_log rows found for the branches XA RECOVER listed (one per gtrid)
 */
public record FirstStart(long cut, List<BinlogCoordinates> starts, List<BinlogCoordinates> beforeCut,
                         List<BinlogCoordinates> afterCut, List<CommitLogRow> rows) {

    /** A {@code __gbinlog.commit_log} row: the decision of a distributed transaction. */
    public record CommitLogRow(Gtrid gtrid, long cts, List<String> participants) {
    }

    public FirstStart {
        starts = List.copyOf(starts);
        beforeCut = List.copyOf(beforeCut);
        afterCut = List.copyOf(afterCut);
        rows = List.copyOf(rows);
    }

    /**
     * Takes the first start over {@code nodes}, in the order above.
     *
     * @throws IllegalStateException when a listed branch's XA PREPARE was purged from a data node's binlog
     */
    public static FirstStart take(List<DataNode> nodes, TsoClient tso) throws SQLException {
        List<Connection> connections = new ArrayList<>();
        try {
            for (DataNode dn : nodes) {
                connections.add(DataNodes.connect(dn));
            }
            List<BinlogCoordinates> ends = new ArrayList<>();
            for (int k = 0; k < nodes.size(); k++) {
                ends.add(DataNodes.masterStatus(connections.get(k), nodes.get(k)));
            }
            List<Set<Xid>> prepared = new ArrayList<>();
            List<BinlogCoordinates> beforeCut = new ArrayList<>();
            for (int k = 0; k < nodes.size(); k++) {
                prepared.add(StartPositionFinder.xaRecover(connections.get(k)));
                beforeCut.add(DataNodes.masterStatus(connections.get(k), nodes.get(k)));
            }
            List<BinlogCoordinates> starts = new ArrayList<>();
            Set<Gtrid> listed = new LinkedHashSet<>();
            for (int k = 0; k < nodes.size(); k++) {
                starts.add(StartPositionFinder.find(connections.get(k), nodes.get(k), ends.get(k), prepared.get(k)));
                prepared.get(k).forEach(x -> listed.add(x.gtrid()));
            }
            List<CommitLogRow> rows = commitLogRows(connections, listed);
            long cut = tso.next();
            List<BinlogCoordinates> afterCut = new ArrayList<>();
            for (int k = 0; k < nodes.size(); k++) {
                afterCut.add(DataNodes.masterStatus(connections.get(k), nodes.get(k)));
            }
            return new FirstStart(cut, starts, beforeCut, afterCut, rows);
        } finally {
            for (Connection c : connections) {
                c.close();
            }
        }
    }

    /** The rows of {@code gtrids} found in any data node's table; a gtrid without a row is not decided yet. */
    private static List<CommitLogRow> commitLogRows(List<Connection> connections, Set<Gtrid> gtrids)
            throws SQLException {
        Map<Gtrid, CommitLogRow> found = new LinkedHashMap<>();
        for (Connection c : connections) {
            for (Gtrid g : gtrids) {
                if (found.containsKey(g)) {
                    continue;
                }
                try (PreparedStatement s = c.prepareStatement(
                        "SELECT cts, participants FROM __gbinlog.commit_log WHERE gtrid = ?")) {
                    s.setBytes(1, g.bytes());
                    try (ResultSet rs = s.executeQuery()) {
                        if (rs.next()) {
                            List<String> participants = Arrays.stream(rs.getString(2).split(","))
                                    .map(String::trim).filter(id -> !id.isEmpty()).toList();
                            found.put(g, new CommitLogRow(g, rs.getLong(1), participants));
                        }
                    }
                }
            }
        }
        return List.copyOf(found.values());
    }
}
