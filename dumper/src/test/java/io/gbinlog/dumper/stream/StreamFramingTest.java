package io.gbinlog.dumper.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.shyiko.mysql.binlog.network.protocol.command.Command;
import io.gbinlog.dumper.fixture.ProtocolClient;
import io.gbinlog.dumper.fixture.TestBinlog;
import io.gbinlog.dumper.server.Dumper;
import io.gbinlog.meta.config.HostPort;
import io.gbinlog.protocol.binlog.EventHeader;
import io.gbinlog.protocol.binlog.EventType;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bytes of a dump as MySQL frames them: each packet a 0x00 byte and an event; the first fake ROTATE carries a
 * checksum only for a replica that asked for CRC32 (mysqlbinlog asks for NONE, yet gets the file's events with
 * their checksums); BINLOG_DUMP_NON_BLOCK ends with EOF and the end of the connection.
 */
class StreamFramingTest {

    @TempDir
    static Path dir;
    private static TestBinlog binlog;
    private static Dumper dumper;

    @BeforeAll
    static void start() throws Exception {
        binlog = TestBinlog.open(dir, 16 * 1024);
        binlog.appendSchema();
        binlog.appendSource(40);
        dumper = Dumper.start(binlog.log(), HostPort.parse("127.0.0.1:0"), Map.of("repl", "secret"));
    }

    @AfterAll
    static void stop() throws Exception {
        dumper.close();
        binlog.close();
    }

    /** COM_BINLOG_DUMP with explicit flags (the connector's command cannot set BINLOG_DUMP_NON_BLOCK). */
    private static Command dump(String file, long position, int flags, long serverId) {
        return () -> {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(0x12);
            for (int i = 0; i < 4; i++) {
                out.write((int) (position >>> (8 * i)));
            }
            out.write(flags);
            out.write(flags >>> 8);
            for (int i = 0; i < 4; i++) {
                out.write((int) (serverId >>> (8 * i)));
            }
            out.writeBytes(file.getBytes(StandardCharsets.UTF_8));
            return out.toByteArray();
        };
    }

    @Test
    void nonBlockingDumpOfAChecksumUnawareClientIsTheFileByteForByte() throws Exception {
        Path first = binlog.files().get(0);
        byte[] file = Files.readAllBytes(first);
        try (ProtocolClient client = ProtocolClient.login(dumper.port(), "repl", "secret")) {
            client.execute("SET @master_binlog_checksum = 'NONE'"); // as mysqlbinlog says it
            client.send(dump("", 4, DumpRequest.NON_BLOCK, 5));
            byte[] rotate = client.readStreamPacket();
            assertEquals(0, rotate[0]);
            assertEquals(EventType.ROTATE, rotate[1 + 4]);
            String name = first.getFileName().toString();
            assertEquals(1 + EventHeader.LENGTH + 8 + name.length(), rotate.length, "no checksum on the first fake rotate");
            assertEquals(name, new String(rotate, 1 + EventHeader.LENGTH + 8, name.length(), StandardCharsets.US_ASCII));

            // Then the file's own events, untouched, up to its closing rotate.
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            received.writeBytes(EventHeader.MAGIC);
            while (received.size() < file.length) {
                byte[] packet = client.readStreamPacket();
                assertEquals(0, packet[0]);
                received.write(packet, 1, packet.length - 1);
            }
            assertTrue(Arrays.equals(file, received.toByteArray()));

            byte[] next = client.readStreamPacket(); // the fake rotate into the next file carries the file's checksum
            assertEquals(EventType.ROTATE, next[1 + 4]);
            assertEquals(1 + EventHeader.LENGTH + 8 + name.length() + EventHeader.CHECKSUM_LENGTH, next.length);

            byte[] packet;
            do {
                packet = client.readStreamPacket();
            } while (packet[0] == 0);
            assertEquals(0xFE, packet[0] & 0xff, "EOF at the end of the binlog");
            assertEquals(5, packet.length);
            assertTrue(client.closedByServer(), "the dump connection ends with its dump, as on MySQL");
        }
    }

    @Test
    void crc32ClientGetsAChecksummedFirstRotate() throws Exception {
        try (ProtocolClient client = ProtocolClient.login(dumper.port(), "repl", "secret")) {
            client.execute("SET @source_binlog_checksum = 'CRC32'");
            client.send(dump("binlog.000002", 4, 0, 6));
            byte[] rotate = client.readStreamPacket();
            assertEquals(1 + EventHeader.LENGTH + 8 + "binlog.000002".length() + EventHeader.CHECKSUM_LENGTH, rotate.length);
            assertTrue(EventHeader.checksumMatches(Arrays.copyOfRange(rotate, 1, rotate.length), 0, rotate.length - 1,
                    new java.util.zip.CRC32()));
            assertEquals(EventType.FORMAT_DESCRIPTION, client.readStreamPacket()[1 + 4]);
        }
    }
}
