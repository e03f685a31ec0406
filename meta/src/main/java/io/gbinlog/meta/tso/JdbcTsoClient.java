package io.gbinlog.meta.tso;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Supplier;

/**
 * Asks the TSO server for timestamps the way any coordinator can: {@code SELECT TSO_TIMESTAMP()} over the
 * MySQL protocol. Reconnects on the next call after a failure.
 */
public final class JdbcTsoClient implements TsoClient {

    private final String url;
    private final String user;
    private final String password;
    private Connection connection;

    public JdbcTsoClient(String host, int port, String user, String password) {
        this.url = "jdbc:mariadb://" + host + ":" + port + "/?connectTimeout=5000&socketTimeout=10000";
        this.user = user;
        this.password = password;
    }

    /** A new client per call: one connection each, for whoever needs its own (a coordinator session, a prober). */
    public static Supplier<TsoClient> factory(String host, int port, String user, String password) {
        return () -> new JdbcTsoClient(host, port, user, password);
    }

    @Override
    public long next() throws SQLException {
        try {
            if (connection == null) {
                connection = DriverManager.getConnection(url, user, password);
            }
            try (Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery("SELECT TSO_TIMESTAMP()")) {
                if (!rs.next()) {
                    throw new SQLException("the TSO server at " + url + " returned no row for SELECT TSO_TIMESTAMP()");
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
                // the connection is unusable either way
            }
            connection = null;
        }
    }
}
