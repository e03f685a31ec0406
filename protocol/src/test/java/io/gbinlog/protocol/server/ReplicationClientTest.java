package io.gbinlog.protocol.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.shyiko.mysql.binlog.io.ByteArrayInputStream;
import com.github.shyiko.mysql.binlog.network.Authenticator;
import com.github.shyiko.mysql.binlog.network.protocol.GreetingPacket;
import com.github.shyiko.mysql.binlog.network.protocol.PacketChannel;
import com.github.shyiko.mysql.binlog.network.protocol.ResultSetRowPacket;
import com.github.shyiko.mysql.binlog.network.protocol.command.DumpBinaryLogCommand;
import com.github.shyiko.mysql.binlog.network.protocol.command.PingCommand;
import com.github.shyiko.mysql.binlog.network.protocol.command.QueryCommand;
import io.gbinlog.protocol.packet.Commands;
import io.gbinlog.protocol.packet.MalformedPacketException;
import io.netty.buffer.ByteBuf;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The dumper's extension point, driven by mysql-binlog-connector-java's own packet channel: its
 * connect-time statements, then a streaming COM_BINLOG_DUMP handler that honours TCP back-pressure.
 */
class ReplicationClientTest {

    private static final int EVENTS = 2000;
    private static final int EVENT_SIZE = 8 * 1024;
    /** Netty's default high-water mark: above it the channel reports itself unwritable. */
    private static final int HIGH_WATER_MARK = 64 * 1024;

    private static final TestDump dump = new TestDump();
    private static MysqlServer server;

    @BeforeAll
    static void start() {
        server = MysqlServer.builder().users(TestQueries.USERS)
                .variables(Map.of("server_id", "42", "binlog_checksum", "CRC32"))
                .command(Commands.BINLOG_DUMP, dump::handle)
                .command(Commands.REGISTER_SLAVE, (context, body) -> {
                    throw new IllegalStateException("replica registry is closed");
                })
                .start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Streams EVENTS packets, never queuing much more than the high-water mark. */
    static final class TestDump {
        final AtomicLong maxPendingBytes = new AtomicLong();
        final AtomicInteger stalls = new AtomicInteger();
        final AtomicReference<String> request = new AtomicReference<>();

        void handle(CommandContext context, ByteBuf body) {
            if (body.readableBytes() < 10) {
                throw new MalformedPacketException("COM_BINLOG_DUMP needs at least 10 bytes");
            }
            long position = body.readUnsignedIntLE();
            body.skipBytes(2);
            long serverId = body.readUnsignedIntLE();
            String file = body.toString(StandardCharsets.UTF_8);
            request.set(serverId + " " + file + ":" + position);
            byte[] checksum = context.session().userVariable("master_binlog_checksum").getBytes(StandardCharsets.UTF_8);
            context.startStreaming();
            pump(context, 0, checksum);
        }

        private void pump(CommandContext context, int next, byte[] checksum) {
            int event = next;
            while (event < EVENTS && context.isWritable()) {
                ByteBuf packet = context.alloc().buffer(EVENT_SIZE);
                packet.writeByte(0).writeIntLE(event).writeBytes(checksum);
                packet.writeZero(EVENT_SIZE - packet.readableBytes());
                context.write(packet);
                event++;
                maxPendingBytes.accumulateAndGet(context.channel().unsafe().outboundBuffer().totalPendingWriteBytes(), Math::max);
            }
            context.flush();
            if (event < EVENTS) {
                stalls.incrementAndGet();
                int resume = event;
                context.whenWritable(() -> pump(context, resume, checksum));
                return;
            }
            context.write(context.alloc().buffer(5).writeByte(0xFE).writeZero(4));
            context.finish();
        }
    }

    private static PacketChannel login() throws IOException {
        PacketChannel channel = new PacketChannel("127.0.0.1", server.port());
        GreetingPacket greeting = new GreetingPacket(channel.read());
        new Authenticator(greeting, channel, null, "u", "pw").authenticate();
        channel.authenticationComplete();
        return channel;
    }

    private static byte[] execute(PacketChannel channel, String sql) throws IOException {
        channel.write(new QueryCommand(sql));
        return channel.read();
    }

    /** Reads a result set the way BinaryLogClient does: skip definitions up to EOF, rows up to EOF. */
    private static List<List<String>> query(PacketChannel channel, String sql) throws IOException {
        byte[] first = execute(channel, sql);
        assertTrue(first[0] != (byte) 0xFF, "error for " + sql);
        while (channel.read()[0] != (byte) 0xFE) {
            // column definitions
        }
        List<List<String>> rows = new ArrayList<>();
        for (byte[] packet; (packet = channel.read())[0] != (byte) 0xFE; ) {
            rows.add(Arrays.asList(new ResultSetRowPacket(packet).getValues()));
        }
        return rows;
    }

    private static byte[] readRawPacket(ByteArrayInputStream in, int expectedSequenceId) throws IOException {
        int length = in.readInteger(3);
        assertEquals(expectedSequenceId & 0xFF, in.read(), "sequence id");
        return in.read(length);
    }

    @Test
    void connectStatementsThenAStreamingDumpUnderBackPressure() throws Exception {
        PacketChannel channel = login();
        try {
            assertEquals(List.of(List.of("binlog_checksum", "CRC32")),
                    query(channel, "show global variables like 'binlog_checksum'"));
            assertEquals(0, execute(channel, "set @master_binlog_checksum= @@global.binlog_checksum")[0]);
            assertEquals(0, execute(channel, "set @master_heartbeat_period=30000000000")[0]);
            assertEquals(0, execute(channel, "set net_write_timeout=60")[0]);
            assertEquals(List.of(List.of("42")), query(channel, "select @@server_id"));

            channel.write(new DumpBinaryLogCommand(99, "binlog.000001", 4));
            channel.write(new PingCommand()); // waits until the stream ends

            long deadline = System.nanoTime() + 10_000_000_000L;
            while (dump.stalls.get() == 0) { // nothing is read yet: the socket buffers must fill
                assertTrue(System.nanoTime() < deadline, "the dump never had to wait for the socket");
                Thread.sleep(1); // poll, without burning a shared core
            }
            ByteArrayInputStream in = channel.getInputStream();
            for (int event = 0; event < EVENTS; event++) {
                byte[] packet = readRawPacket(in, event + 1);
                assertEquals(EVENT_SIZE, packet.length);
                assertEquals(event, ByteBuffer.wrap(packet, 1, 4).order(ByteOrder.LITTLE_ENDIAN).getInt());
                assertArrayEquals("CRC32".getBytes(StandardCharsets.US_ASCII), Arrays.copyOfRange(packet, 5, 10));
            }
            assertEquals(0xFE, readRawPacket(in, EVENTS + 1)[0] & 0xFF);
            assertEquals(0, readRawPacket(in, 1)[0], "the ping's OK, after the stream");
            assertEquals("99 binlog.000001:4", dump.request.get());
            assertTrue(dump.maxPendingBytes.get() <= HIGH_WATER_MARK + EVENT_SIZE + 64,
                    "queued " + dump.maxPendingBytes.get() + " bytes");

            channel.write(new QueryCommand("SELECT @master_binlog_checksum"));
            channel.read();
            channel.read();
            channel.read();
            assertEquals("CRC32", new ResultSetRowPacket(channel.read()).getValue(0));
        } finally {
            channel.close();
        }
    }

    @Test
    void failingCommandHandlerAnswersAnErrorAndTheConnectionGoesOn() throws Exception {
        try (RawClient client = new RawClient(server.port())) {
            assertEquals(0, client.login("u", "pw").header());
            RawClient.Packet error = client.command(Commands.REGISTER_SLAVE, "xxxx");
            assertEquals(1105, error.errorCode());
            assertTrue(error.text().contains("replica registry is closed"), error.text());
            assertEquals(0, client.command(Commands.PING, "").header());
        }
    }

    @Test
    void malformedCommandBodyClosesTheConnection() throws Exception {
        try (RawClient client = new RawClient(server.port())) {
            assertEquals(0, client.login("u", "pw").header());
            client.write(0, new byte[] {Commands.BINLOG_DUMP, 1, 2});
            assertEquals(1835, client.readUntilClosed().errorCode());
        }
    }
}
