package io.gbinlog.protocol.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.protocol.packet.Commands;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad bytes and unknown commands hurt only the connection that sends them. */
class MisbehavingClientTest {

    private static MysqlServer server;

    @BeforeAll
    static void start() {
        TestQueries queries = new TestQueries();
        server = MysqlServer.builder().users(TestQueries.USERS).queryHandler(queries::handle)
                .maxPacketSize(64 * 1024).connectTimeout(Duration.ofMillis(500)).start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + server.port() + "/?connectTimeout=5000&socketTimeout=10000",
                "u", "pw");
    }

    private static long nextTimestamp(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery("SELECT NEXT_TS()")) {
            assertTrue(rs.next());
            return rs.getLong(1);
        }
    }

    @Test
    void garbageClosesOnlyThatConnection() throws Exception {
        try (Connection before = connect()) {
            long first = nextTimestamp(before);
            try (RawClient garbage = new RawClient(server.port())) {
                garbage.read(); // greeting
                garbage.writeRaw("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                RawClient.Packet last = garbage.readUntilClosed();
                assertNotNull(last, "the client is told why before the close");
                assertEquals(1156, last.errorCode());
            }
            assertTrue(nextTimestamp(before) > first, "the connection opened before keeps working");
            try (Connection after = connect()) {
                assertTrue(nextTimestamp(after) > first, "new connections are still accepted");
            }
        }
    }

    @Test
    void garbageAfterLoginClosesTheConnection() throws Exception {
        try (RawClient client = new RawClient(server.port())) {
            assertEquals(0, client.login("u", "pw").header());
            client.write(5, new byte[] {Commands.QUERY, 'x'}); // a command must start at sequence id 0
            assertEquals(1156, client.readUntilClosed().errorCode());
        }
    }

    @Test
    void truncatedHandshakeResponseIsBadHandshake() throws Exception {
        try (RawClient client = new RawClient(server.port())) {
            RawClient.Packet greeting = client.read();
            client.write(greeting.sequenceId() + 1, new byte[] {(byte) 0x00, (byte) 0x82, 0, 0, 1, 2});
            RawClient.Packet answer = client.readUntilClosed();
            assertEquals(1043, answer.errorCode());
        }
    }

    @Test
    void oversizedPacketIsRefusedAndClosed() throws Exception {
        try (RawClient client = new RawClient(server.port())) {
            assertEquals(0, client.login("u", "pw").header());
            client.writeRaw(new byte[] {0, 0, 2, 0, Commands.QUERY}); // announces 128 KiB, over the 64 KiB limit
            assertEquals(1153, client.readUntilClosed().errorCode());
        }
    }

    @Test
    void unknownCommandIsAnErrorAndTheConnectionStaysUsable() throws Exception {
        try (RawClient client = new RawClient(server.port())) {
            assertEquals(0, client.login("u", "pw").header());
            RawClient.Packet unknown = client.command(0x55, "");
            assertEquals(1047, unknown.errorCode());
            assertEquals(1, unknown.sequenceId());
            assertTrue(unknown.text().endsWith("#08S01Unknown command"), unknown.text());

            RawClient.Packet columnCount = client.command(Commands.QUERY, "SELECT 'still here'");
            assertEquals(1, columnCount.header(), "one column");
            client.read(); // column definition
            assertEquals(0xFE, client.read().header());
            RawClient.Packet row = client.read();
            assertEquals("still here", new String(row.payload(), 1, row.payload().length - 1, StandardCharsets.UTF_8));
            assertEquals(0xFE, client.read().header());
            assertEquals(0, client.command(Commands.PING, "").header());
        }
    }

    @Test
    void initDbWithoutANameIsNoDatabaseSelected() throws Exception {
        try (RawClient client = new RawClient(server.port())) {
            assertEquals(0, client.login("u", "pw").header());
            assertEquals(1046, client.command(Commands.INIT_DB, "").errorCode());
            assertEquals(0, client.command(Commands.INIT_DB, "shop").header());
        }
    }

    @Test
    void emptyCommandPacketIsMalformed() throws Exception {
        try (RawClient client = new RawClient(server.port())) {
            assertEquals(0, client.login("u", "pw").header());
            client.write(0, new byte[0]);
            assertEquals(1835, client.readUntilClosed().errorCode());
        }
    }

    @Test
    void quitClosesWithoutAnswer() throws Exception {
        try (RawClient client = new RawClient(server.port())) {
            assertEquals(0, client.login("u", "pw").header());
            client.write(0, new byte[] {Commands.QUIT});
            assertNull(client.readUntilClosed());
        }
    }

    @Test
    void clientThatNeverAuthenticatesIsDisconnected() throws Exception {
        try (RawClient silent = new RawClient(server.port())) {
            assertEquals(10, silent.read().header(), "protocol 10 greeting");
            assertNull(silent.readUntilClosed(), "closed after the connect timeout");
        }
    }
}
