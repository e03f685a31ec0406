package io.gbinlog.collector.ordering;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamSorterTest {

    private static final Gtrid A = Gtrid.of("a");
    private static final Gtrid B = Gtrid.of("b");

    private final Map<Gtrid, Long> rows = new HashMap<>();
    private final StreamSorter<String> sorter =
            new StreamSorter<>(3, g -> rows.getOrDefault(g, CommitTimestamps.UNKNOWN));

    @Test
    void aCommitCountsOnlyOnceEveryBranchPreparedBeforeItIsResolved() {
        rows.put(A, 40L);
        rows.put(B, 50L);
        sorter.prepared(10, A, "A");
        sorter.prepared(20, B, "B");
        sorter.committed(30, B);
        assertEquals(0, sorter.watermark(), "A, prepared before B's commit, may still get a cts below 50");
        sorter.probeReached(60);
        assertEquals(0, sorter.watermark());
        sorter.committed(40, A);
        assertEquals(60, sorter.watermark());
        assertEquals(List.of("(40,0,a)", "(50,0,b)"), drainKeys());
    }

    @Test
    void aBranchPreparedAfterACandidateDoesNotHoldIt() {
        sorter.prepared(10, A, "A");
        sorter.probeReached(20);
        sorter.prepared(30, B, "B");
        assertEquals(0, sorter.watermark());
        sorter.rolledBack(40, A);
        assertEquals(20, sorter.watermark(), "B was prepared after the probe: by F3 its cts will exceed 20");
        assertEquals(List.of(new Holdup(3, B, Holdup.Reason.PREPARED, 30, 1)), sorter.holdups(0));
    }

    @Test
    void aLocalTransactionIsPlacedAtTheFloorOfItsCommit() {
        rows.put(B, 50L);
        sorter.prepared(10, A, "A");
        sorter.probeReached(100);
        sorter.localCommit(20, "L1");
        sorter.prepared(30, B, "B");
        sorter.committed(40, B);
        sorter.localCommit(50, "L2");
        sorter.rolledBack(60, A);
        sorter.localCommit(70, "L3");
        assertEquals(100, sorter.watermark());
        assertEquals(List.of("(0,1,3,20)", "(50,0,b)", "(50,1,3,50)", "(100,1,3,70)"), drainKeys(),
                "the probe counts in the floor only once A, prepared before it, is resolved");
    }

    @Test
    void keyAssignmentWaitsAtACommitWhoseCtsIsUnknown() {
        sorter.prepared(10, A, "A");
        sorter.committed(20, A);
        sorter.localCommit(30, "L");
        sorter.probeReached(500);
        assertNull(sorter.peek(), "L's floor depends on A's cts");
        assertEquals(0, sorter.watermark());
        assertEquals(List.of(new Holdup(3, A, Holdup.Reason.AWAITING_COMMIT_LOG, 20, 2)), sorter.holdups(0));
        assertEquals(10, sorter.restartPosition());

        sorter.ctsLearned(B);
        assertNull(sorter.peek(), "another gtrid's row does not release the wait");
        rows.put(A, 100L);
        sorter.ctsLearned(A);
        assertEquals(500, sorter.watermark());
        assertEquals(List.of("(100,0,a)", "(100,1,3,30)"), drainKeys());
        assertTrue(sorter.holdups(0).isEmpty());
    }

    @Test
    void holdupsAreFilteredByAge() {
        sorter.prepared(10, A, "A");
        sorter.probeReached(5);
        sorter.prepared(20, B, "B");
        sorter.probeReached(6);
        assertEquals(List.of(new Holdup(3, A, Holdup.Reason.PREPARED, 10, 3)), sorter.holdups(2));
        assertEquals(2, sorter.holdups(0).size());
    }

    @Test
    void restartPositionIsTheEarliestThingNotYetTaken() {
        assertEquals(StreamSorter.NOTHING_TO_REREAD, sorter.restartPosition());
        rows.put(B, 7L);
        sorter.localCommit(10, "L");
        sorter.prepared(20, A, "A");
        sorter.prepared(30, B, "B");
        sorter.committed(40, B);
        assertEquals(10, sorter.restartPosition());
        sorter.poll();
        assertEquals(20, sorter.restartPosition(), "A is still prepared");
        sorter.rolledBack(50, A);
        assertEquals(30, sorter.restartPosition(), "B committed but not taken: re-read from its PREPARE");
        sorter.poll();
        assertEquals(StreamSorter.NOTHING_TO_REREAD, sorter.restartPosition());
    }

    @Test
    void resolutionsOfBranchesPreparedBeforeTheStartAreNotWaitedFor() {
        sorter.committed(10, A);
        sorter.rolledBack(20, B);
        sorter.localCommit(30, "L");
        assertEquals(2, sorter.orphanResolutions());
        assertEquals(List.of("(0,1,3,30)"), drainKeys());
    }

    @Test
    void badInputIsRefusedWithAClearMessage() {
        sorter.prepared(10, A, "A");
        ProtocolViolationException twice = assertThrows(ProtocolViolationException.class, () -> sorter.prepared(20, A, "A"));
        assertTrue(twice.getMessage().contains("'a' prepared again at position 20"), twice.getMessage());
        IllegalArgumentException order = assertThrows(IllegalArgumentException.class, () -> sorter.localCommit(20, "L"));
        assertTrue(order.getMessage().contains("binlog order"), order.getMessage());
        assertThrows(IllegalArgumentException.class, () -> sorter.probeReached(0));
        rows.put(B, 0L);
        sorter.prepared(30, B, "B");
        ProtocolViolationException abort = assertThrows(ProtocolViolationException.class, () -> sorter.committed(40, B));
        assertTrue(abort.getMessage().contains("cts 0"), abort.getMessage());
    }

    private List<String> drainKeys() {
        List<String> keys = new ArrayList<>();
        for (KeyedTransaction<String> t; (t = sorter.poll()) != null; ) {
            keys.add(t.key().toString());
        }
        return keys;
    }
}
