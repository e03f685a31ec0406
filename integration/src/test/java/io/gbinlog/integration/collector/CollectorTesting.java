package io.gbinlog.integration.collector;

import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.meta.config.GbinlogConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Small shared helpers of the collector tests. */
final class CollectorTesting {

    /** The connector logs every connect at INFO through java.util.logging; keep test output for failures. */
    private static final Logger CONNECTOR_LOG = Logger.getLogger("com.github.shyiko.mysql.binlog");

    static {
        CONNECTOR_LOG.setLevel(Level.WARNING);
    }

    private CollectorTesting() {
    }

    static GbinlogConfig.DataNode config(DataNode node) {
        return new GbinlogConfig.DataNode(node.id(), node.host(), node.port(), node.user(), node.password());
    }

    static List<GbinlogConfig.DataNode> configs(List<DataNode> nodes) {
        return nodes.stream().map(CollectorTesting::config).toList();
    }

    static void sql(Connection c, String... statements) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    /** The ids of the replica (Binlog Dump) connections on a data node. */
    static List<Long> dumpThreads(DataNode node) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (Connection c = node.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT ID FROM information_schema.PROCESSLIST WHERE COMMAND = 'Binlog Dump'")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    /** Kills every replica connection of {@code node}; returns how many there were. */
    static int killDumpThreads(DataNode node) throws SQLException {
        List<Long> ids = dumpThreads(node);
        try (Connection c = node.connect()) {
            for (long id : ids) {
                try {
                    sql(c, "KILL " + id);
                } catch (SQLException gone) {
                    // ended on its own meanwhile
                }
            }
        }
        return ids.size();
    }
}
