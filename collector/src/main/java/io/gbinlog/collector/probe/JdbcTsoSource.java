package io.gbinlog.collector.probe;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/** The TSO server over the MySQL protocol: {@code SELECT TSO_TIMESTAMP()}. Reconnects on the call after a failure. */
public final class JdbcTsoSource implements TsoSource {

    private final String url;
    private final String user;
    private final String password;
    private Connection connection;

    public JdbcTsoSource(String host, int port, String user, String password) {
        this.url = "jdbc:mariadb://" + host + ":" + port + "/?connectTimeout=5000&socketTimeout=10000";
        this.user = user;
        this.password = password;
    }

    @Override
    public long next() throws SQLException {
        try {
            if (connection == null) {
                connection = DriverManager.getConnection(url, user, password);
            }
            try (Statement s = connection.createStatement(); ResultSet rs = s.executeQuery("SELECT TSO_TIMESTAMP()")) {
                if (!rs.next()) {
                    throw new SQLException("the TSO at " + url + " returned no row for SELECT TSO_TIMESTAMP()");
                }
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            close();
            throw e;
        }
    }

    @Override
    public void close() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // unusable either way
            }
            connection = null;
        }
    }
}
