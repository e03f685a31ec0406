package io.gbinlog.merger.merge;

import io.gbinlog.collector.ordering.Gtrid;
import io.gbinlog.collector.ordering.SortKey;
import io.gbinlog.collector.ordering.StreamCheckpoint;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineCheckpointTest {

    private static final List<String> NODES = List.of("dn0", "dn1", "dn2");

    private static EngineCheckpoint sample() {
        return new EngineCheckpoint(NODES, 300, 450, SortKey.distributed(420, Gtrid.of(new byte[] {0, (byte) 0xff, 7})),
                new StreamCheckpoint[] {
                    new StreamCheckpoint(10, 4_000_000_123L, 5, 65, 450, 3_999_999_000L, new long[] {10, 20, 4_000_000_000L}),
                    new StreamCheckpoint(30, 30, 25, 65, 460, StreamCheckpoint.NONE, new long[0]),
                    StreamCheckpoint.firstStart(5, 5, 65)},
                List.of(new CommitDecision(Gtrid.of("x"), 320, List.of("dn2", "dn0")), new CommitDecision(Gtrid.of("y"), 0, List.of("dn1"))));
    }

    @Test
    void everyFieldSurvivesTheBinaryForm() {
        EngineCheckpoint checkpoint = sample();
        EngineCheckpoint decoded = EngineCheckpoint.decode(checkpoint.encode());
        assertEquals(checkpoint, decoded);
        assertEquals(checkpoint.toString(), decoded.toString());
        EngineCheckpoint local = new EngineCheckpoint(NODES, 0, 9, SortKey.local(8, 2, 77),
                new StreamCheckpoint[] {StreamCheckpoint.firstStart(1, 1, 1), StreamCheckpoint.firstStart(1, 1, 1),
                    StreamCheckpoint.firstStart(1, 1, 1)}, List.of());
        assertEquals(local, EngineCheckpoint.decode(local.encode()));
        assertEquals(10, checkpoint.restartPosition(0));
    }

    @Test
    void itsSizeDoesNotGrowWithWhatTheMergerHolds() {
        TransactionMerger<String> merger = TransactionMerger.resume(NODES, EngineCheckpoint.firstStart(NODES, new long[3]), tx -> { });
        merger.prepared(0, 10, Gtrid.of("long-prepared"), "p");
        for (int i = 1; i <= 10_000; i++) {
            Gtrid g = Gtrid.of("g" + i);
            merger.prepared(1, 10L * i, g, "b" + i);
            merger.commitLogRow(1, 10L * i + 1, g, 1000 + i, List.of("dn1"));
            merger.committed(1, 10L * i + 2, g);
            merger.localCommit(2, 10L * i, "l" + i);
            merger.probeReached(2, 1000 + i);
        }
        byte[] bytes = merger.checkpoint().encode();
        assertTrue(bytes.length < 200, bytes.length + " bytes");
        assertEquals(10, EngineCheckpoint.decode(bytes).restartPosition(0));
        assertEquals(10, EngineCheckpoint.decode(bytes).restartPosition(1));
    }

    @Test
    void anythingElseIsRefusedSayingWhy() {
        byte[] good = sample().encode();
        assertRefused(new byte[] {1, 2, 3}, "truncated");
        byte[] magic = good.clone();
        magic[0] = 'X';
        assertRefused(magic, "not a gbinlog engine checkpoint");
        byte[] version = good.clone();
        version[4] = 2;
        assertRefused(version, "format version 2 is not readable by this gbinlog, which reads version 1");
        byte[] flipped = good.clone();
        flipped[good.length / 2] ^= 1;
        assertRefused(flipped, "damaged");
        byte[] shorter = java.util.Arrays.copyOf(good, good.length - 1);
        assertRefused(shorter, "damaged");
    }

    @Test
    void aFirstStartIsCheckedAgainstItsDataNodes() {
        IllegalArgumentException duplicate = assertThrows(IllegalArgumentException.class,
                () -> EngineCheckpoint.firstStart(List.of("dn0", "dn0"), new long[2]));
        assertTrue(duplicate.getMessage().contains("not unique"), duplicate.getMessage());
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> EngineCheckpoint.firstStart(NODES, new long[2]));
        assertTrue(count.getMessage().contains("2 streams for 3 data nodes"), count.getMessage());
        IllegalArgumentException stranger = assertThrows(IllegalArgumentException.class,
                () -> EngineCheckpoint.firstStart(NODES, 5, List.of(StreamCheckpoint.firstStart(0, 0, 0),
                        StreamCheckpoint.firstStart(0, 0, 0), StreamCheckpoint.firstStart(0, 0, 0)),
                        List.of(new CommitDecision(Gtrid.of("x"), 3, List.of("dn9")))));
        assertTrue(stranger.getMessage().contains("not among [dn0, dn1, dn2]"), stranger.getMessage());
    }

    private static void assertRefused(byte[] bytes, String why) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> EngineCheckpoint.decode(bytes));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }
}
