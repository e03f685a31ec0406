package io.gbinlog.dumper.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.GtidEventData;
import com.github.shyiko.mysql.binlog.event.RotateEventData;
import io.gbinlog.dumper.fixture.BinlogFiles;
import io.gbinlog.dumper.fixture.ConnectorReplica;
import io.gbinlog.dumper.fixture.TestBinlog;
import io.gbinlog.dumper.server.Dumper;
import io.gbinlog.merger.writer.AppendedTransaction;
import io.gbinlog.merger.writer.BinlogPosition;
import io.gbinlog.meta.config.HostPort;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mysql-binlog-connector-java's BinaryLogClient, the library most CDC tools build on, streams the global binlog
 * from the dumper: by file and position and by GTID set, live while transactions are appended, across rotations,
 * and on reconnect without a gap or a duplicate.
 */
class ConnectorStreamTest {

    @TempDir
    Path dir;
    private TestBinlog binlog;
    private Dumper dumper;

    @BeforeEach
    void start() throws Exception {
        binlog = TestBinlog.open(dir, 16 * 1024);
        binlog.appendSchema();
        binlog.appendSource(100);
        dumper = Dumper.start(binlog.log(), HostPort.parse("127.0.0.1:0"), Map.of("repl", "secret"));
    }

    @AfterEach
    void stop() throws Exception {
        dumper.close();
        binlog.close();
    }

    private static List<Long> oneTo(long n) {
        return LongStream.rangeClosed(1, n).boxed().toList();
    }

    @Test
    void streamsLiveFromFileAndPositionAcrossRotations() throws Exception {
        try (ConnectorReplica replica = new ConnectorReplica(dumper.port(), 1001)) {
            replica.client().setBinlogFilename("binlog.000001");
            replica.client().setBinlogPosition(4);
            replica.connect();
            replica.awaitGno(binlog.transactions());
            binlog.appendRestOfSource(); // while the replica is connected and idle
            replica.awaitGno(binlog.transactions());

            assertEquals(List.of(), replica.failures());
            assertEquals(oneTo(binlog.transactions()), replica.gnos());
            List<Path> files = binlog.files();
            assertTrue(files.size() > 3, "the log rotated: " + files);
            assertEquals(BinlogFiles.rows(files), replica.rows());
            // One fake rotate per file, then the replica's position is the log's end.
            List<String> rotatedTo = new ArrayList<>();
            for (Event e : replica.events()) {
                if (e.getData() instanceof RotateEventData r && e.getHeader().getTimestamp() == 0) {
                    rotatedTo.add(r.getBinlogFilename() + ":" + r.getBinlogPosition());
                }
            }
            assertEquals(files.stream().map(f -> f.getFileName() + ":4").toList(), rotatedTo);
            BinlogPosition end = binlog.log().endPosition();
            assertEquals(end.file(), replica.client().getBinlogFilename());
            assertEquals(end.position(), replica.client().getBinlogPosition());
        }
    }

    @Test
    void startsInsideAFileWithTheFormatDescriptionAtLogPosZero() throws Exception {
        AppendedTransaction middle = binlog.appendSource(10).get(4);
        try (ConnectorReplica replica = new ConnectorReplica(dumper.port(), 1002)) {
            replica.client().setBinlogFilename(middle.start().file());
            replica.client().setBinlogPosition(middle.start().position());
            replica.connect();
            replica.awaitGno(binlog.transactions());
            List<Event> events = replica.events();
            assertEquals(EventType.ROTATE, events.get(0).getHeader().getEventType());
            assertEquals(middle.start().position(), ((RotateEventData) events.get(0).getData()).getBinlogPosition());
            assertEquals(EventType.FORMAT_DESCRIPTION, events.get(1).getHeader().getEventType());
            assertEquals(0, ((EventHeaderV4) events.get(1).getHeader()).getNextPosition());
            assertEquals(EventType.GTID, events.get(2).getHeader().getEventType());
            assertEquals(LongStream.rangeClosed(middle.gno(), binlog.transactions()).boxed().toList(), replica.gnos());
        }
    }

    @Test
    void startsAtTheEndOfARotatedFileAndGoesOnInTheNextOne() throws Exception {
        List<BinlogPosition> files = binlog.log().files();
        BinlogPosition endOfFirst = files.get(0);
        try (ConnectorReplica replica = new ConnectorReplica(dumper.port(), 1008)) {
            replica.client().setBinlogFilename(endOfFirst.file());
            replica.client().setBinlogPosition(endOfFirst.position());
            replica.connect();
            replica.awaitGno(binlog.transactions());
            List<Event> events = replica.events();
            assertEquals(List.of(EventType.ROTATE, EventType.FORMAT_DESCRIPTION, EventType.ROTATE,
                    EventType.FORMAT_DESCRIPTION, EventType.PREVIOUS_GTIDS, EventType.GTID),
                    events.subList(0, 6).stream().map(e -> e.getHeader().getEventType()).toList());
            assertEquals(files.get(1).file(), ((RotateEventData) events.get(2).getData()).getBinlogFilename());
            long firstOfSecondFile = BinlogFiles.events(List.of(binlog.files().get(1))).stream()
                    .filter(e -> e.getData() instanceof GtidEventData)
                    .map(e -> ((GtidEventData) e.getData()).getMySqlGtid().getTransactionId()).findFirst().orElseThrow();
            assertEquals(LongStream.rangeClosed(firstOfSecondFile, binlog.transactions()).boxed().toList(), replica.gnos());
        }
    }

    @Test
    void streamsAfterAGtidSetAndResumesAfterReconnectWithoutGapOrDuplicate() throws Exception {
        try (ConnectorReplica replica = new ConnectorReplica(dumper.port(), 1003)) {
            replica.client().setGtidSet(TestBinlog.CLUSTER + ":1-50");
            replica.connect();
            replica.awaitGno(binlog.transactions());
            assertEquals(LongStream.rangeClosed(51, binlog.transactions()).boxed().toList(), replica.gnos());

            replica.disconnect();
            binlog.appendSource(40);
            replica.connect(); // with the set the client kept up to date
            replica.awaitGno(binlog.transactions());
            binlog.appendSource(5);
            replica.awaitGno(binlog.transactions());
            assertEquals(LongStream.rangeClosed(51, binlog.transactions()).boxed().toList(), replica.gnos());
            assertEquals(List.of(), replica.failures());
        }
    }

    @Test
    void gtidSetWithAFileAndPositionStartsAtTheLaterOfTheTwo() throws Exception {
        BinlogPosition at60 = binlog.log().findGno(60).orElseThrow();
        for (String set : List.of(":1-10", ":1-70")) {
            try (ConnectorReplica replica = new ConnectorReplica(dumper.port(), 1009)) {
                replica.client().setGtidSet(TestBinlog.CLUSTER + set);
                replica.client().setUseBinlogFilenamePositionInGtidMode(true);
                replica.client().setBinlogFilename(at60.file());
                replica.client().setBinlogPosition(at60.position());
                replica.connect();
                replica.awaitGno(binlog.transactions());
                long first = set.equals(":1-10") ? 60 : 71;
                assertEquals(LongStream.rangeClosed(first, binlog.transactions()).boxed().toList(), replica.gnos(), set);
            }
        }
    }

    @Test
    void resumesFromItsFileAndPositionAfterReconnectWithoutGapOrDuplicate() throws Exception {
        try (ConnectorReplica replica = new ConnectorReplica(dumper.port(), 1004)) {
            replica.client().setBinlogFilename("");
            replica.client().setBinlogPosition(4); // empty file name: the first file
            replica.connect();
            replica.awaitGno(binlog.transactions());
            for (int round = 0; round < 3; round++) {
                replica.disconnect();
                binlog.appendSource(20);
                replica.connect();
                replica.awaitGno(binlog.transactions());
            }
            assertEquals(oneTo(binlog.transactions()), replica.gnos());
            assertEquals(BinlogFiles.rows(binlog.files()), replica.rows());
        }
    }

    @Test
    void aReplicaThatHasEverythingWaitsAtTheEndAndGetsTheNextTransaction() throws Exception {
        try (ConnectorReplica replica = new ConnectorReplica(dumper.port(), 1005)) {
            replica.client().setGtidSet(TestBinlog.CLUSTER + ":1-" + binlog.transactions());
            replica.connect();
            AppendedTransaction next = binlog.appendSource(1).get(0);
            replica.awaitGno(next.gno());
            assertEquals(List.of(next.gno()), replica.gnos());
        }
    }

    @Test
    void idleStreamGetsHeartbeatsAtTheRequestedPeriodNamingTheEnd() throws Exception {
        try (ConnectorReplica replica = new ConnectorReplica(dumper.port(), 1006)) {
            replica.client().setHeartbeatInterval(100);
            replica.client().setBinlogFilename("binlog.000001");
            replica.client().setBinlogPosition(4);
            replica.connect();
            replica.awaitGno(binlog.transactions());
            replica.await(r -> r.count(EventType.HEARTBEAT) >= 3, "three heartbeats");
            BinlogPosition end = binlog.log().endPosition();
            for (Event e : replica.events()) {
                if (e.getHeader().getEventType() == EventType.HEARTBEAT) {
                    assertEquals(end.position(), ((EventHeaderV4) e.getHeader()).getNextPosition());
                }
            }
            assertEquals(List.of(), replica.failures());
        }
    }

    @Test
    void nonBlockingClientGetsEverythingThenTheStreamEnds() throws Exception {
        try (ConnectorReplica replica = new ConnectorReplica(dumper.port(), 1007)) {
            replica.client().setBlocking(false);
            replica.client().setBinlogFilename("binlog.000001");
            replica.client().setBinlogPosition(4);
            replica.client().connect(); // returns when the dumper ends the stream with EOF
            assertEquals(oneTo(binlog.transactions()), replica.gnos());
            assertTrue(!replica.client().isConnected());
        }
    }
}
