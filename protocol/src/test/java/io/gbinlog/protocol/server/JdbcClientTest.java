package io.gbinlog.protocol.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The server as mariadb-java-client sees it. */
class JdbcClientTest {

    private static MysqlServer server;

    @BeforeAll
    static void start() {
        TestQueries queries = new TestQueries();
        server = MysqlServer.builder().bind("127.0.0.1", 0).users(TestQueries.USERS)
                .serverVersion("8.0.36-gbinlog").variables(Map.of("server_id", "42"))
                .queryHandler(queries::handle).start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Connection connect(String user, String password) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + server.port() + "/?connectTimeout=5000"
                + "&socketTimeout=30000", user, password);
    }

    private static Object single(Connection connection, String sql) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            assertTrue(rs.next(), sql);
            Object value = rs.getObject(1);
            assertFalse(rs.next(), sql);
            return value;
        }
    }

    @Test
    void queryAnsweredByTheApplicationAsBigint() throws SQLException {
        try (Connection connection = connect("u", "pw"); Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery("SELECT NEXT_TS()")) {
            assertEquals(Types.BIGINT, rs.getMetaData().getColumnType(1));
            assertEquals("NEXT_TS()", rs.getMetaData().getColumnLabel(1));
            assertTrue(rs.next());
            long first = rs.getLong(1);
            assertTrue(first > TestQueries.FIRST_TIMESTAMP);
            assertTrue((Long) single(connection, "SELECT NEXT_TS()") > first);
        }
    }

    @Test
    void wrongPasswordIsAccessDenied() {
        SQLException e = assertThrows(SQLException.class, () -> connect("u", "wrong").close());
        assertEquals(1045, e.getErrorCode());
        assertEquals("28000", e.getSQLState());
        assertTrue(e.getMessage().contains("Access denied for user 'u'@'127.0.0.1' (using password: YES)"), e.getMessage());
    }

    @Test
    void unknownUserIsAccessDenied() {
        SQLException e = assertThrows(SQLException.class, () -> connect("ghost", "pw").close());
        assertEquals(1045, e.getErrorCode());
        assertTrue(e.getMessage().contains("'ghost'@'127.0.0.1'"), e.getMessage());
    }

    @Test
    void missingPasswordSaysUsingPasswordNo() throws SQLException {
        SQLException e = assertThrows(SQLException.class, () -> connect("u", "").close());
        assertEquals(1045, e.getErrorCode());
        assertTrue(e.getMessage().contains("(using password: NO)"), e.getMessage());
        try (Connection connection = connect("nopw", "")) {
            assertEquals(1L, single(connection, "SELECT 1"));
        }
    }

    @Test
    void pingKeepsTheConnectionValid() throws SQLException {
        try (Connection connection = connect("u", "pw")) {
            assertTrue(connection.isValid(5));
            assertTrue(connection.isValid(5));
        }
    }

    @Test
    void setCatalogSelectsTheSchemaOfTheSession() throws SQLException {
        try (Connection connection = connect("u", "pw")) {
            assertNull(single(connection, "SELECT DATABASE()"));
            connection.setCatalog("shop");
            assertEquals("shop", single(connection, "SELECT DATABASE()"));
            assertEquals("shop", connection.getCatalog());
        }
    }

    @Test
    void userVariablesBelongToTheirSession() throws SQLException {
        try (Connection first = connect("u", "pw"); Connection second = connect("u", "pw")) {
            try (Statement statement = first.createStatement()) {
                statement.execute("SET @x = 42, @checksum = 'CRC32'");
            }
            assertEquals(42L, single(first, "SELECT @x"));
            assertEquals("CRC32", single(first, "SELECT @checksum"));
            assertNull(single(second, "SELECT @x"));
        }
    }

    @Test
    void serverVariablesAndClientBoilerplate() throws SQLException {
        try (Connection connection = connect("u", "pw")) {
            assertEquals(42L, single(connection, "SELECT @@GLOBAL.server_id"));
            assertEquals("gbinlog", single(connection, "select @@version_comment limit 1"));
            assertEquals(java.sql.Connection.TRANSACTION_REPEATABLE_READ, connection.getTransactionIsolation());
            connection.setAutoCommit(true);
            assertEquals("8.0.36-gbinlog", connection.getMetaData().getDatabaseProductVersion());
        }
    }

    @Test
    void applicationErrorsAreErrPacketsAndTheConnectionGoesOn() throws SQLException {
        try (Connection connection = connect("u", "pw"); Statement statement = connection.createStatement()) {
            SQLException failed = assertThrows(SQLException.class, () -> statement.executeQuery("SELECT FAIL()"));
            assertEquals(1105, failed.getErrorCode());
            assertTrue(failed.getMessage().contains("allocator unavailable"), failed.getMessage());

            SQLException denied = assertThrows(SQLException.class, () -> statement.executeQuery("SELECT DENY()"));
            assertEquals(1227, denied.getErrorCode());
            assertEquals("42000", denied.getSQLState());

            SQLException unsupported = assertThrows(SQLException.class, () -> statement.execute("DROP TABLE t"));
            assertEquals(1235, unsupported.getErrorCode());

            assertTrue(connection.isValid(5));
            assertEquals(1L, single(connection, "SELECT 1"));
        }
    }

    @Test
    void packetsOf16MegabytesAndMoreTravelBothWays() throws SQLException {
        int size = 17 * 1024 * 1024;
        try (Connection connection = connect("u", "pw")) {
            String bigQuery = "SELECT LENGTH('" + "y".repeat(size) + "')";
            assertEquals((long) bigQuery.length(), single(connection, bigQuery));
            String bigValue = (String) single(connection, "SELECT REPEAT('x', " + size + ")");
            assertEquals(size, bigValue.length());
            assertEquals(1L, single(connection, "SELECT 1"), "the sequence is intact after split packets");
        }
    }
}
