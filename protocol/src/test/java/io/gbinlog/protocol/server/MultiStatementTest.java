package io.gbinlog.protocol.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.protocol.packet.Commands;
import io.gbinlog.protocol.packet.ServerStatus;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Batches of statements in one COM_QUERY, as Canal sends its SHOW CREATE TABLEs. */
class MultiStatementTest {

    private static MysqlServer server;

    @BeforeAll
    static void start() {
        TestQueries queries = new TestQueries();
        server = MysqlServer.builder().users(TestQueries.USERS).queryHandler(queries::handle)
                .schemas(Set.of("shop", "bank")::contains).start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Connection connect(String options) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + server.port() + "/?connectTimeout=5000"
                + "&socketTimeout=10000" + options, "u", "pw");
    }

    @Test
    void everyStatementHasItsResultInOrder() throws SQLException {
        try (Connection connection = connect("&allowMultiQueries=true"); Statement statement = connection.createStatement()) {
            assertTrue(statement.execute("SELECT NEXT_TS(); SET @a = 'x;y' ; SELECT @a AS a, ';' AS `b;`;"));
            long first;
            try (ResultSet rs = statement.getResultSet()) {
                assertTrue(rs.next());
                first = rs.getLong(1);
            }
            assertFalse(statement.getMoreResults());
            assertEquals(0, statement.getUpdateCount());
            assertTrue(statement.getMoreResults());
            try (ResultSet rs = statement.getResultSet()) {
                assertEquals("b;", rs.getMetaData().getColumnLabel(2));
                assertTrue(rs.next());
                assertEquals("x;y", rs.getString(1));
                assertEquals(";", rs.getString(2));
            }
            assertFalse(statement.getMoreResults());
            assertEquals(-1, statement.getUpdateCount());
            assertTrue(first > TestQueries.FIRST_TIMESTAMP);
        }
    }

    @Test
    void anErrorEndsTheBatchAndTheConnectionGoesOn() throws SQLException {
        try (Connection connection = connect("&allowMultiQueries=true"); Statement statement = connection.createStatement()) {
            SQLException denied = assertThrows(SQLException.class,
                    () -> statement.execute("SET @b = 1; SELECT DENY(); SET @b = 2"));
            assertEquals(1227, denied.getErrorCode());
            try (ResultSet rs = statement.executeQuery("SELECT @b")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1), "the statement after the error must not run");
            }
        }
    }

    @Test
    void withoutTheCapabilityABatchIsOneStatement() throws SQLException {
        try (Connection connection = connect(""); Statement statement = connection.createStatement()) {
            SQLException unsupported = assertThrows(SQLException.class, () -> statement.execute("SET @c = 1; SET @c = 2"));
            assertEquals(1235, unsupported.getErrorCode());
        }
    }

    @Test
    void useAndInitDbAcceptOnlyKnownSchemas() throws SQLException {
        try (Connection connection = connect(""); Statement statement = connection.createStatement()) {
            statement.execute("USE `shop`");
            assertEquals("shop", connection.getCatalog());
            SQLException unknown = assertThrows(SQLException.class, () -> statement.execute("USE nowhere"));
            assertEquals(1049, unknown.getErrorCode());
            assertEquals("42000", unknown.getSQLState());
            assertEquals("shop", connection.getCatalog());
            connection.setCatalog("bank"); // COM_INIT_DB
            assertEquals("bank", connection.getCatalog());
            assertThrows(SQLException.class, () -> connection.setCatalog("nowhere"));
        }
        SQLException refused = assertThrows(SQLException.class, () -> DriverManager.getConnection(
                "jdbc:mariadb://127.0.0.1:" + server.port() + "/nowhere?connectTimeout=5000", "u", "pw"));
        assertEquals(1049, refused.getErrorCode());
    }

    @Test
    void setOptionSwitchesMultiStatementsOnAndOff() throws Exception {
        try (RawClient client = new RawClient(server.port())) {
            assertEquals(0x00, client.login("u", "pw").header());
            assertEquals(0xFE, client.command(Commands.SET_OPTION, "\0\0").header());
            List<Integer> endStatuses = resultSetEnds(client, "SELECT 1; SELECT 2");
            assertEquals(2, endStatuses.size());
            assertTrue((endStatuses.get(0) & ServerStatus.MORE_RESULTS_EXISTS) != 0);
            assertEquals(0, endStatuses.get(1) & ServerStatus.MORE_RESULTS_EXISTS);

            assertEquals(0xFE, client.command(Commands.SET_OPTION, "\1\0").header());
            assertEquals(1235, client.command(Commands.QUERY, "SELECT 1; SELECT 2").errorCode());
            assertEquals(1047, client.command(Commands.SET_OPTION, "\7\0").errorCode());
        }
    }

    /** Sends a batch of SELECTs and returns the status flags of each result set's final EOF. */
    private static List<Integer> resultSetEnds(RawClient client, String sql) throws Exception {
        List<Integer> statuses = new ArrayList<>();
        RawClient.Packet packet = client.command(Commands.QUERY, sql);
        while (true) {
            int eofs = 0;
            while (eofs < 2) {
                packet = client.read();
                if (packet.header() == 0xFE && packet.payload().length < 9) {
                    eofs++;
                }
            }
            int status = (packet.payload()[3] & 0xFF) | (packet.payload()[4] & 0xFF) << 8;
            statuses.add(status);
            if ((status & ServerStatus.MORE_RESULTS_EXISTS) == 0) {
                return statuses;
            }
            client.read(); // the next result's column count
        }
    }
}
