package io.gbinlog.protocol.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.protocol.packet.Capabilities;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What the server promises in its first packet, and what it leaves behind when closed. */
class GreetingTest {

    private static long serverThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().startsWith("mysql-server")).count();
    }

    @Test
    void closeReleasesThePortTheThreadsAndTheConnections() throws Exception {
        long threadsBefore = serverThreads();
        MysqlServer server = MysqlServer.builder().users(TestQueries.USERS).start();
        int port = server.port();
        try (RawClient client = new RawClient(port)) {
            assertEquals(0, client.login("u", "pw").header());
            server.close();
            client.readUntilClosed();
        }
        try (ServerSocket again = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            assertEquals(port, again.getLocalPort());
        }
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (serverThreads() > threadsBefore) {
            assertTrue(System.nanoTime() < deadline, "I/O threads still alive after close()");
            Thread.sleep(1); // poll, without burning a shared core
        }
    }

    @Test
    void greetingOffersNativePasswordWithoutTlsOrDeprecatedEof() throws Exception {
        try (MysqlServer server = MysqlServer.builder().users(TestQueries.USERS).serverVersion("8.0.36-gbinlog").start();
                RawClient client = new RawClient(server.port())) {
            RawClient.Packet greeting = client.read();
            assertEquals(0, greeting.sequenceId());
            ByteBuffer in = ByteBuffer.wrap(greeting.payload()).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(10, in.get());
            String version = nulTerminated(in);
            assertEquals("8.0.36-gbinlog", version);
            in.getInt(); // connection id
            in.position(in.position() + 8 + 1); // scramble part 1, filler
            int capabilities = in.getShort() & 0xFFFF;
            in.get(); // character set
            in.getShort(); // status
            capabilities |= (in.getShort() & 0xFFFF) << 16;
            assertEquals(21, in.get(), "20-byte scramble and its NUL");
            in.position(in.position() + 10 + 13);
            assertEquals("mysql_native_password", nulTerminated(in));

            assertEquals(0, capabilities & Capabilities.SSL, "TLS is not offered");
            assertEquals(0, capabilities & Capabilities.DEPRECATE_EOF, "result sets end with classic EOF packets");
            assertTrue((capabilities & Capabilities.LONG_PASSWORD) != 0, "MariaDB clients must see a MySQL server");
            assertTrue((capabilities & Capabilities.PLUGIN_AUTH) != 0);
        }
    }

    private static String nulTerminated(ByteBuffer in) {
        int start = in.position();
        while (in.get() != 0) {
            // up to the NUL
        }
        return new String(in.array(), start, in.position() - start - 1, StandardCharsets.UTF_8);
    }
}
