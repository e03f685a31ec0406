package io.gbinlog.merger.pipeline;

import io.gbinlog.collector.node.DataNodes;
import io.gbinlog.collector.ordering.Gtrid;
import io.gbinlog.meta.config.GbinlogConfig.DataNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Reads a decision from the {@code __gbinlog.commit_log} tables of the data nodes. A stream that re-reads a branch
 * committed before its start (a restart re-reads from early positions; the first start reads prepared branches
 * from before the cut) may never see that transaction's commit_log row again: it was written on another data node
 * before that node's start position. The row is still in the table; the transaction is one the global binlog
 * already has, or one before the cut, and only its cts is needed to move past it.
 */
final class CommitLogLookup implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CommitLogLookup.class);

    /** A decision as found in a table. */
    record Row(String dataNode, long cts, int participants) {
    }

    private final List<DataNode> nodes;
    private final Connection[] connections;

    CommitLogLookup(List<DataNode> nodes) {
        this.nodes = List.copyOf(nodes);
        this.connections = new Connection[nodes.size()];
    }

    /** The row of {@code gtrid} on the first data node that has one; null when none has (or none answered). */
    Row find(Gtrid gtrid) {
        byte[] key = Origin.bytes(gtrid);
        for (int i = 0; i < nodes.size(); i++) {
            try {
                if (connections[i] == null) {
                    connections[i] = DataNodes.connect(nodes.get(i));
                }
                try (PreparedStatement s = connections[i].prepareStatement(
                        "SELECT cts, participants FROM __gbinlog.commit_log WHERE gtrid = ?")) {
                    s.setBytes(1, key);
                    try (ResultSet rs = s.executeQuery()) {
                        if (rs.next()) {
                            int participants = 0;
                            for (String id : rs.getString(2).split(",")) {
                                participants += id.isBlank() ? 0 : 1;
                            }
                            return new Row(nodes.get(i).id(), rs.getLong(1), participants);
                        }
                    }
                }
            } catch (SQLException e) {
                log.warn("{}: cannot look up the __gbinlog.commit_log row of '{}': {}",
                        DataNodes.label(nodes.get(i)), gtrid, e.getMessage());
                closeConnection(i);
            }
        }
        return null;
    }

    @Override
    public void close() {
        for (int i = 0; i < connections.length; i++) {
            closeConnection(i);
        }
    }

    private void closeConnection(int i) {
        if (connections[i] != null) {
            try {
                connections[i].close();
            } catch (SQLException ignored) {
                // unusable either way
            }
            connections[i] = null;
        }
    }
}
