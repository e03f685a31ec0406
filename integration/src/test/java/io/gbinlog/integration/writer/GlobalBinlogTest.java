package io.gbinlog.integration.writer;

import static io.gbinlog.integration.writer.WriterTesting.CLUSTER;
import static io.gbinlog.integration.writer.WriterTesting.binlogFiles;
import static io.gbinlog.integration.writer.WriterTesting.config;
import static io.gbinlog.integration.writer.WriterTesting.cts;
import static io.gbinlog.integration.writer.WriterTesting.events;
import static io.gbinlog.integration.writer.WriterTesting.rowsOf;
import static io.gbinlog.integration.writer.WriterTesting.shell;
import static io.gbinlog.integration.writer.WriterTesting.writeAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.GtidEventData;
import com.github.shyiko.mysql.binlog.event.PreviousGtidSetEventData;
import com.github.shyiko.mysql.binlog.event.RotateEventData;
import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.merger.writer.AppendedTransaction;
import io.gbinlog.merger.writer.BinlogEventReader;
import io.gbinlog.merger.writer.BinlogLogConfig;
import io.gbinlog.merger.writer.BinlogPosition;
import io.gbinlog.merger.writer.FsyncPolicy;
import io.gbinlog.merger.writer.GlobalBinlog;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes a few hundred transactions, captured by the collector from a real data node's binlog, into the global
 * binlog, then reads the files back with mysql-binlog-connector-java and mariadb-binlog and replays them into the
 * data node. The workload is random: the seed is printed and can be set with -Dgbinlog.seed=N.
 */
class GlobalBinlogTest {

    private static LocalCluster cluster;
    private static DataNode node;
    private static WriterTesting.Source source;

    @BeforeAll
    static void captureTransactionsFromADataNode() throws Exception {
        cluster = LocalCluster.start(1);
        node = cluster.node(0);
        source = WriterTesting.capture(node);
    }

    @AfterAll
    static void stopTheDataNode() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void connectorReadsEveryFileAndTheRowsAreTheSourceRows(@TempDir Path dir) throws IOException {
        List<AppendedTransaction> appended;
        try (GlobalBinlog log = GlobalBinlog.open(config(dir, 16 * 1024, FsyncPolicy.ON_FLUSH, 1024))) {
            appended = writeAll(log, source.transactions());
            log.flush();
        }
        List<Path> files = binlogFiles(dir);
        assertTrue(files.size() > 3, "rotation happened: " + files);
        assertEquals(source.rows().size(), rowsOf(files).size());
        assertEquals(source.rows(), rowsOf(files));
        long expectedGno = 1;
        for (int f = 0; f < files.size(); f++) {
            List<Event> events = events(files.get(f));
            assertEquals(EventType.FORMAT_DESCRIPTION, events.get(0).getHeader().getEventType());
            PreviousGtidSetEventData previous = events.get(1).getData();
            assertEquals(expectedGno == 1 ? "" : CLUSTER + ":1-" + (expectedGno - 1), previous.getGtidSet());
            long sequence = 0;
            for (Event e : events) {
                if (e.getData() instanceof GtidEventData g) {
                    assertEquals(CLUSTER + ":" + expectedGno, g.getMySqlGtid().toString(), "GTIDs are gapless");
                    assertEquals(++sequence, g.getSequenceNumber(), "sequence numbers restart in each file");
                    assertTrue(g.getLastCommitted() < g.getSequenceNumber());
                    assertEquals((cts((int) expectedGno - 1) >>> 22) * 1000, g.getImmediateCommitTimestamp());
                    expectedGno++;
                }
            }
            Event last = events.get(events.size() - 1);
            if (f < files.size() - 1) {
                assertEquals(EventType.ROTATE, last.getHeader().getEventType());
                assertEquals(files.get(f + 1).getFileName().toString(), ((RotateEventData) last.getData()).getBinlogFilename());
                assertTrue(Files.size(files.get(f)) >= 16 * 1024, "rotated only once full");
            } else {
                // The newest file ends after its last transaction: rotation waits for the next one.
                assertEquals(EventType.XID, last.getHeader().getEventType());
            }
        }
        assertEquals(appended.size() + 1, expectedGno);
    }

    @Test
    void mariadbBinlogPrintsEveryFileAndReplaysIntoMariaDb(@TempDir Path dir) throws Exception {
        try (GlobalBinlog log = GlobalBinlog.open(config(dir, 32 * 1024, FsyncPolicy.NEVER, 4096))) {
            writeAll(log, source.transactions());
        }
        List<Path> files = binlogFiles(dir);
        StringBuilder paths = new StringBuilder();
        files.forEach(f -> paths.append(' ').append(f));
        Path out = dir.resolve("decoded.txt");
        Path err = dir.resolve("decode-errors.txt");
        shell("mariadb-binlog -v" + paths + " > " + out + " 2> " + err, dir.resolve("decode.log"));
        assertEquals("", Files.readString(err));
        String decoded = Files.readString(out, StandardCharsets.ISO_8859_1); // blobs print raw
        assertFalse(decoded.contains("WARNING") || decoded.contains("ERROR:"), "mariadb-binlog complained");
        assertTrue(decoded.contains("### INSERT INTO `shop_global`.`orders`"));
        assertTrue(decoded.contains("### UPDATE `shop_global`.`items`"));

        Path replayErr = dir.resolve("replay-errors.txt");
        shell("mariadb-binlog" + paths + " | mariadb --no-defaults -h" + node.host() + " -P" + node.port() + " -u"
                + node.user() + " -p" + node.password() + " 2> " + replayErr, dir.resolve("replay.log"));
        assertEquals("", Files.readString(replayErr));
        try (Connection c = node.connect(); Statement s = c.createStatement()) {
            for (String table : List.of("orders", "items")) {
                assertEquals(checksum(s, "shop." + table), checksum(s, "shop_global." + table), table);
            }
            try (ResultSet r = s.executeQuery("SELECT COUNT(*) FROM shop_global.items")) {
                r.next();
                assertTrue(r.getLong(1) > 0);
            }
        }
    }

    private static long checksum(Statement s, String table) throws Exception {
        try (ResultSet r = s.executeQuery("CHECKSUM TABLE " + table)) {
            r.next();
            return r.getLong(2);
        }
    }

    @Test
    void lookupsByGtidAndCtsFindEveryTransactionAlsoWithRebuiltIndexes(@TempDir Path dir) throws IOException {
        List<AppendedTransaction> appended;
        BinlogLogConfig config = config(dir, 8 * 1024, FsyncPolicy.NEVER, 2048);
        try (GlobalBinlog log = GlobalBinlog.open(config)) {
            appended = writeAll(log, source.transactions());
            assertLookups(log, appended);
        }
        try (java.util.stream.Stream<Path> idx = Files.list(dir.resolve("index"))) {
            for (Path p : idx.toList()) {
                Files.delete(p);
            }
        }
        try (GlobalBinlog log = GlobalBinlog.open(config)) {
            assertTrue(log.recoveryReport().indexEntriesAdded() > 0, log.recoveryReport().toString());
            assertEquals(null, log.recoveryReport().cutFile());
            assertLookups(log, appended);
        }
    }

    private static void assertLookups(GlobalBinlog log, List<AppendedTransaction> appended) throws IOException {
        Map<Long, BinlogPosition> firstByCts = new HashMap<>();
        for (AppendedTransaction t : appended) {
            assertEquals(t.start(), log.findGno(t.gno()).orElseThrow(), "gno " + t.gno());
            firstByCts.putIfAbsent(t.cts(), t.start());
        }
        for (AppendedTransaction t : appended) {
            assertEquals(firstByCts.get(t.cts()), log.findCts(t.cts()).orElseThrow(), "cts " + t.cts());
        }
        assertEquals(appended.get(0).start(), log.findCts(1).orElseThrow());
        assertTrue(log.findGno(appended.size() + 1).isEmpty());
        assertTrue(log.findCts(appended.get(appended.size() - 1).cts() + 1).isEmpty());
    }

    @Test
    void readerStreamsEveryEventAcrossRotationsAndTailsNewAppends(@TempDir Path dir) throws Exception {
        try (GlobalBinlog log = GlobalBinlog.open(config(dir, 8 * 1024, FsyncPolicy.EVERY_TRANSACTION, 4096))) {
            List<AppendedTransaction> appended = writeAll(log, source.transactions());
            int expected = 0;
            for (Path f : binlogFiles(dir)) {
                expected += events(f).size();
            }
            List<String> seen = new ArrayList<>();
            try (BinlogEventReader reader = log.openReader("binlog.000001", 4)) {
                while (reader.next()) {
                    seen.add(reader.file() + ":" + reader.eventPosition());
                    assertEquals(reader.nextPosition(), reader.eventPosition() + reader.eventSize());
                }
                assertEquals(expected, seen.size());
                assertEquals(log.endPosition(), new BinlogPosition(reader.file(), reader.nextPosition()));

                BinlogPosition end = log.endPosition();
                assertFalse(log.awaitBeyond(end, 10, TimeUnit.MILLISECONDS));
                AppendedTransaction more = log.appendDdl(cts(appended.size() + 5), "shop_global", "DROP TABLE IF EXISTS nothing");
                assertTrue(log.awaitBeyond(end, 10, TimeUnit.SECONDS));
                assertTrue(reader.next());
                // A full file is rotated by the next append: its ROTATE and the new file's header come first.
                while (reader.eventType() != io.gbinlog.protocol.binlog.EventType.GTID) {
                    assertTrue(List.of(io.gbinlog.protocol.binlog.EventType.ROTATE,
                            io.gbinlog.protocol.binlog.EventType.FORMAT_DESCRIPTION,
                            io.gbinlog.protocol.binlog.EventType.PREVIOUS_GTIDS).contains(reader.eventType()),
                            "event type " + reader.eventType() + " before the new transaction");
                    assertTrue(reader.next());
                }
                assertEquals(more.start(), new BinlogPosition(reader.file(), reader.eventPosition()));
                assertEquals(io.gbinlog.protocol.binlog.EventType.GTID, reader.eventType());
            }
            AppendedTransaction middle = appended.get(appended.size() / 2);
            try (BinlogEventReader reader = log.openReader(middle.start().file(), middle.start().position())) {
                assertTrue(reader.next());
                assertEquals(io.gbinlog.protocol.binlog.EventType.GTID, reader.eventType());
            }
        }
    }
}
