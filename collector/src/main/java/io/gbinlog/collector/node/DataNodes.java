package io.gbinlog.collector.node;

import io.gbinlog.collector.capture.BinlogCoordinates;
import io.gbinlog.meta.config.GbinlogConfig.DataNode;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** SQL access to a data node: connections and the one status query every part of the collector needs. */
public final class DataNodes {

    private DataNodes() {
    }

    /** How a data node is named in every message: {@code dn1 (127.0.0.1:3312)}. */
    public static String label(DataNode dn) {
        return dn.id() + " (" + dn.host() + ":" + dn.port() + ")";
    }

    /** A new autocommit connection; the caller closes it. */
    public static Connection connect(DataNode dn) throws SQLException {
        String url = "jdbc:mariadb://" + dn.host() + ":" + dn.port() + "/?connectTimeout=5000&socketTimeout=60000";
        try {
            return DriverManager.getConnection(url, dn.user(), dn.password() == null ? "" : dn.password());
        } catch (SQLException e) {
            throw new SQLException(label(dn) + ": cannot connect: " + e.getMessage(), e.getSQLState(), e.getErrorCode(), e);
        }
    }

    /**
     * SHOW MASTER STATUS: the end of the binlog, always between two event groups (a group reaches the binlog
     * in one write).
     */
    public static BinlogCoordinates masterStatus(Connection c, DataNode dn) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW MASTER STATUS")) {
            if (!rs.next()) {
                throw new SQLException(label(dn) + ": SHOW MASTER STATUS returned no row; the binary log is off");
            }
            return new BinlogCoordinates(rs.getString(1), rs.getLong(2));
        }
    }
}
