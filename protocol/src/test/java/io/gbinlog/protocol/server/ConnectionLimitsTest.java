package io.gbinlog.protocol.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** What an unauthenticated or surplus client can cost the server is bounded. */
class ConnectionLimitsTest {

    private static Connection connect(MysqlServer server) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + server.port() + "/?connectTimeout=5000", "u", "pw");
    }

    @Test
    void beforeLoginOnlyAHandshakeSizedPacketIsAccepted() throws Exception {
        try (MysqlServer server = MysqlServer.builder().users(TestQueries.USERS).start();
             RawClient client = new RawClient(server.port())) {
            RawClient.Packet greeting = client.read();
            // announces 1 MiB, far below max_allowed_packet (64 MiB) but far above any handshake response
            client.writeRaw(new byte[] {0, 0, 0x10, (byte) (greeting.sequenceId() + 1)});
            assertEquals(1153, client.readUntilClosed().errorCode());
        }
    }

    @Test
    void connectionsBeyondTheLimitGetTooManyConnections() throws Exception {
        TestQueries queries = new TestQueries();
        try (MysqlServer server = MysqlServer.builder().users(TestQueries.USERS).queryHandler(queries::handle)
                .maxConnections(2).start();
             Connection first = connect(server);
             Connection second = connect(server)) {
            SQLException refused = assertThrows(SQLException.class, () -> connect(server));
            assertEquals(1040, refused.getErrorCode(), refused.getMessage());
            try (Statement st = first.createStatement(); ResultSet rs = st.executeQuery("SELECT NEXT_TS()")) {
                assertTrue(rs.next(), "the connections within the limit keep working");
            }
            second.close();
            try (Connection third = pollConnect(server)) {
                assertTrue(third.isValid(5), "a freed place can be taken again");
            }
        }
    }

    /** The server notices a closed connection asynchronously: retry until it does, within a deadline. */
    private static Connection pollConnect(MysqlServer server) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            try {
                return connect(server);
            } catch (SQLException e) {
                if (e.getErrorCode() != 1040 || System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.onSpinWait();
            }
        }
    }
}
