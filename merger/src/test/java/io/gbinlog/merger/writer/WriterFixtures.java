package io.gbinlog.merger.writer;

import com.github.shyiko.mysql.binlog.BinaryLogFileReader;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.deserialization.ChecksumType;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the writer tests of this module share: settings, timestamps, and reading files back with
 * mysql-binlog-connector-java. Tests that write row events captured from a real data node live in the integration
 * module ({@code io.gbinlog.integration.writer}).
 */
final class WriterFixtures {
    static final UUID CLUSTER = UUID.fromString("8d1f0f8e-3c7a-4e55-9c2b-6a1b2c3d4e5f");
    static final long START_MILLIS = 1_760_000_000_000L;

    private WriterFixtures() {
    }

    static BinlogLogConfig config(Path dir, long maxFileSize, FsyncPolicy policy, int indexInterval) {
        return new BinlogLogConfig(dir, maxFileSize, policy, indexInterval, 77, CLUSTER);
    }

    static long cts(int i) {
        return (START_MILLIS + i / 3) << 22 | (i % 3 == 2 ? 1 : i % 3); // some ties: the index must handle them
    }

    static List<Path> binlogFiles(Path dir) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("binlog.index"))) {
            assertTrue(line.startsWith("./binlog."), line);
            files.add(dir.resolve(line.substring(2)));
        }
        return files;
    }

    static List<Event> events(Path file) throws IOException {
        EventDeserializer deserializer = new EventDeserializer();
        deserializer.setChecksumType(ChecksumType.CRC32);
        deserializer.setCompatibilityMode(EventDeserializer.CompatibilityMode.CHAR_AND_BINARY_AS_BYTE_ARRAY);
        List<Event> events = new ArrayList<>();
        try (BinaryLogFileReader reader = new BinaryLogFileReader(file.toFile(), deserializer)) {
            for (Event e = reader.readEvent(); e != null; e = reader.readEvent()) {
                events.add(e);
            }
        }
        return events;
    }

    static void assertLookups(GlobalBinlog log, List<AppendedTransaction> appended) throws IOException {
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
}
