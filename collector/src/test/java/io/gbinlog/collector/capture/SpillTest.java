package io.gbinlog.collector.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.protocol.binlog.EventType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpillTest {

    private static final int THRESHOLD = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void aGroupPastTheThresholdComesBackInOrderAndItsFileGoesWithIt() throws Exception {
        SpillDirectory spill = SpillDirectory.open(dir, THRESHOLD);
        EventGroupBuilder b = new EventGroupBuilder(spill, 3);
        List<Integer> types = new ArrayList<>();
        List<byte[]> bodies = new ArrayList<>();
        for (int statement = 0; statement < 40; statement++) {
            add(b, types, bodies, EventType.MARIADB_ANNOTATE_ROWS, ("INSERT " + statement).getBytes());
            add(b, types, bodies, EventType.TABLE_MAP, body(statement, 30));
            for (int r = 0; r < 5; r++) {
                add(b, types, bodies, EventType.WRITE_ROWS, body(statement * 5 + r, 3000 + statement * 100));
            }
        }
        assertThrows(IllegalStateException.class, () -> b.body(0), "spilled events are no longer in memory");
        b.markDdlLog();
        EventGroup g = b.build();
        assertTrue(g.isSpilled() && g.writesDdlLog());
        assertEquals(0, g.byteSize(), "a spilled group holds no events in memory");
        assertEquals(1, files().size());

        List<Integer> readTypes = new ArrayList<>();
        List<byte[]> readBodies = new ArrayList<>();
        int[] chunks = {0};
        g.forEachChunk(chunk -> {
            chunks[0]++;
            assertTrue(chunk.byteSize() <= THRESHOLD + 8000, "a chunk is bounded by the threshold and one event");
            assertFalse(chunk.isRowsQuery(chunk.size() - 1), "a statement text stays with its table maps");
            for (int i = 0; i < chunk.size(); i++) {
                readTypes.add(chunk.type(i));
                readBodies.add(Arrays.copyOfRange(chunk.buffer(), chunk.offset(i), chunk.offset(i) + chunk.length(i)));
            }
        });
        assertTrue(chunks[0] > 5, "read back in several chunks: " + chunks[0]);
        assertEquals(types, readTypes);
        for (int i = 0; i < bodies.size(); i++) {
            assertArrayEquals(bodies.get(i), readBodies.get(i), "event " + i);
        }
        assertTrue(g.anyChunk(chunk -> chunk.isTableMap(1)));

        g.release();
        assertEquals(List.of(), files());
        assertTrue(b.isEmpty(), "the builder starts over");
        b.add(EventType.MARIADB_ANNOTATE_ROWS, "small".getBytes());
        assertFalse(b.build().isSpilled(), "a small group stays in memory");
    }

    @Test
    void anAbandonedGroupLeavesNoFileAndOpeningRemovesStaleOnes() throws Exception {
        Files.write(dir.resolve("stream0-1.spill"), new byte[] {1, 2, 3});
        Files.write(dir.resolve("keep.txt"), new byte[] {1});
        SpillDirectory spill = SpillDirectory.open(dir, THRESHOLD);
        assertEquals(List.of(dir.resolve("keep.txt")), files());
        EventGroupBuilder b = new EventGroupBuilder(spill, 0);
        for (int r = 0; r < 40; r++) {
            b.add(EventType.WRITE_ROWS, body(r, 4000));
        }
        assertEquals(2, files().size());
        b.clear(); // the stream restarts in the middle of the group
        assertEquals(List.of(dir.resolve("keep.txt")), files());
    }

    private static void add(EventGroupBuilder b, List<Integer> types, List<byte[]> bodies, int type, byte[] body) {
        b.add(type, body);
        types.add(type);
        bodies.add(body);
    }

    private static byte[] body(int seed, int length) {
        byte[] body = new byte[length];
        for (int i = 0; i < length; i++) {
            body[i] = (byte) (seed * 31 + i);
        }
        return body;
    }

    private List<Path> files() throws Exception {
        try (var list = Files.list(dir)) {
            return list.sorted().toList();
        }
    }
}
