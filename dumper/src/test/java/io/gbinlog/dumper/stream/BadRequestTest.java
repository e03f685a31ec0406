package io.gbinlog.dumper.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.shyiko.mysql.binlog.GtidSet;
import com.github.shyiko.mysql.binlog.network.AuthenticationException;
import com.github.shyiko.mysql.binlog.network.protocol.ErrorPacket;
import com.github.shyiko.mysql.binlog.network.protocol.command.Command;
import com.github.shyiko.mysql.binlog.network.protocol.command.DumpBinaryLogCommand;
import com.github.shyiko.mysql.binlog.network.protocol.command.DumpBinaryLogGtidCommand;
import com.github.shyiko.mysql.binlog.network.protocol.command.PingCommand;
import io.gbinlog.dumper.fixture.ConnectorReplica;
import io.gbinlog.dumper.fixture.ProtocolClient;
import io.gbinlog.dumper.fixture.TestBinlog;
import io.gbinlog.dumper.server.Dumper;
import io.gbinlog.merger.writer.AppendedTransaction;
import io.gbinlog.meta.config.HostPort;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests a primary cannot serve get MySQL's error code and a message that says what to do; a dump that fails
 * ends its connection as on MySQL, a bad statement does not, garbage closes only its own connection, and the
 * dumper keeps serving everybody else.
 */
class BadRequestTest {

    @TempDir
    static Path dir;
    private static TestBinlog binlog;
    private static Dumper dumper;
    private static AppendedTransaction second;

    @BeforeAll
    static void start() throws Exception {
        binlog = TestBinlog.open(dir, 1024 * 1024);
        binlog.appendSchema();
        second = binlog.appendSource(20).get(1);
        dumper = Dumper.start(binlog.log(), HostPort.parse("127.0.0.1:0"), Map.of("repl", "secret"));
    }

    @AfterAll
    static void stop() throws Exception {
        dumper.close();
        binlog.close();
    }

    /** After every case, a well-behaved replica still gets the whole binlog. */
    @AfterEach
    void othersAreStillServed() throws Exception {
        try (ConnectorReplica replica = new ConnectorReplica(dumper.port(), 4242)) {
            replica.client().setBinlogFilename("binlog.000001");
            replica.client().setBinlogPosition(4);
            replica.connect();
            replica.awaitGno(binlog.transactions());
        }
    }

    private static ProtocolClient replica() throws Exception {
        ProtocolClient client = ProtocolClient.login(dumper.port(), "repl", "secret");
        assertEquals(0, client.execute("SET @master_binlog_checksum = @@global.binlog_checksum").bytes()[0]);
        return client;
    }

    /** Sends {@code dump}, expects ERR 1236 whose message contains {@code expected}, then the end of the connection. */
    private static void assertRefused(ProtocolClient client, Command dump, String expected) throws Exception {
        client.send(dump);
        ErrorPacket error = client.read().error();
        assertEquals(1236, error.getErrorCode(), error.getErrorMessage());
        assertEquals("HY000", error.getSqlState());
        assertTrue(error.getErrorMessage().contains(expected), error.getErrorMessage());
        assertTrue(client.closedByServer(), "a failed dump ends its connection");
    }

    @Test
    void unknownFile() throws Exception {
        try (ProtocolClient client = replica()) {
            assertRefused(client, new DumpBinaryLogCommand(7, "binlog.000099", 4),
                    "Could not find first log file name in binary log index file: 'binlog.000099'");
        }
    }

    @Test
    void positionBeforeTheFirstEvent() throws Exception {
        try (ProtocolClient client = replica()) {
            assertRefused(client, new DumpBinaryLogCommand(7, "binlog.000001", 3), "position < 4");
        }
    }

    @Test
    void positionPastTheEndOfTheFile() throws Exception {
        long size = binlog.log().endPosition().position();
        try (ProtocolClient client = replica()) {
            assertRefused(client, new DumpBinaryLogCommand(7, "binlog.000001", size + 1), "position > file size");
        }
    }

    @Test
    void positionInsideAnEvent() throws Exception {
        try (ProtocolClient client = replica()) {
            assertRefused(client, new DumpBinaryLogCommand(7, "binlog.000001", second.start().position() + 7),
                    "which is not the start of an event");
        }
    }

    @Test
    void replicaThatDidNotAnnounceChecksums() throws Exception {
        try (ProtocolClient client = ProtocolClient.login(dumper.port(), "repl", "secret")) {
            assertRefused(client, new DumpBinaryLogCommand(7, "binlog.000001", 4),
                    "Replica can not handle replication events with the checksum that source is configured to log");
        }
    }

    @Test
    void gtidSetWithAGapOfThisSource() throws Exception {
        try (ProtocolClient client = replica()) {
            assertRefused(client, new DumpBinaryLogGtidCommand(7, "", 4, new GtidSet(TestBinlog.CLUSTER + ":1-5:7-9")),
                    "lacks " + TestBinlog.CLUSTER + ":6 but holds later transactions");
        }
    }

    @Test
    void gtidSetThatStartsLater() throws Exception {
        try (ProtocolClient client = replica()) {
            assertRefused(client, new DumpBinaryLogGtidCommand(7, "", 4, new GtidSet(TestBinlog.CLUSTER + ":3-9")),
                    "lacks " + TestBinlog.CLUSTER + ":1-2");
        }
    }

    @Test
    void gtidSetBeyondTheEndOfTheLog() throws Exception {
        try (ProtocolClient client = replica()) {
            assertRefused(client, new DumpBinaryLogGtidCommand(7, "", 4, new GtidSet(TestBinlog.CLUSTER + ":1-100000")),
                    "Replica has more GTIDs than the source has");
        }
    }

    @Test
    void gtidsOfOtherSourcesAreNothingToSkip() throws Exception {
        try (ConnectorReplica replica = new ConnectorReplica(dumper.port(), 4343)) {
            replica.client().setGtidSet("3e11fa47-71ca-11e1-9e33-c80aa9429562:1-77," + TestBinlog.CLUSTER + ":1-3");
            replica.connect();
            replica.awaitGno(binlog.transactions());
            assertEquals(4L, replica.gnos().get(0));
        }
    }

    @Test
    void unknownStatementIsAnErrorAndTheConnectionGoesOn() throws Exception {
        try (ProtocolClient client = replica()) {
            ErrorPacket error = client.execute("SELECT * FROM mysql.user").error();
            assertEquals(1235, error.getErrorCode());
            assertEquals("42000", error.getSqlState());
            error = client.execute("SHOW BINLOG EVENTS IN 'binlog.000042'").error();
            assertEquals(1220, error.getErrorCode());
            assertTrue(error.getErrorMessage().contains("Could not find target log"), error.getErrorMessage());
            client.send(new PingCommand());
            assertEquals(0, client.read().bytes()[0]);
            assertEquals(List.of(List.of("binlog.000001")), client.query("SHOW MASTER STATUS").stream()
                    .map(row -> List.of(row.get(0))).toList());
        }
    }

    @Test
    void garbageClosesOnlyItsOwnConnection() throws Exception {
        try (ProtocolClient bystander = replica(); ProtocolClient client = replica()) {
            client.send(() -> new byte[] {0x12, 1, 2}); // COM_BINLOG_DUMP cut short
            ErrorPacket error = client.read().error();
            assertEquals(1835, error.getErrorCode());
            assertTrue(client.closedByServer());
            client.close();
            bystander.send(new PingCommand());
            assertEquals(0, bystander.read().bytes()[0]);
        }
        try (ProtocolClient client = replica()) {
            client.send(() -> new byte[] {0x1E, 0, 0, 7, 0, 0, 0, (byte) 0xFF, (byte) 0xFF, 0, 0}); // name longer than the packet
            assertEquals(1835, client.read().error().getErrorCode());
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void wrongPasswordIsRefusedWith1045() {
        AuthenticationException e = assertThrows(AuthenticationException.class,
                () -> ProtocolClient.login(dumper.port(), "repl", "wrong"));
        assertEquals(1045, e.getErrorCode());
        assertFalse(e.getMessage().isEmpty());
    }
}
