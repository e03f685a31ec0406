package io.gbinlog.collector.ordering;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamSorterTest {

    private static final Gtrid A = Gtrid.of("a");
    private static final Gtrid B = Gtrid.of("b");
    private static final Gtrid C = Gtrid.of("c");

    /** Rows by gtrid; what the sorter reports back is recorded. */
    private final Map<Gtrid, Long> rows = new HashMap<>();
    private final List<String> reported = new ArrayList<>();
    private final CommitDecisions decisions = new CommitDecisions() {
        @Override
        public long ctsOf(Gtrid gtrid) {
            return rows.getOrDefault(gtrid, UNKNOWN);
        }

        @Override
        public void rolledBack(int stream, long position, Gtrid gtrid) {
            reported.add("rolled back " + gtrid + "@" + position);
        }

        @Override
        public void committedBelowCut(int stream, long position, Gtrid gtrid) {
            reported.add("below the cut " + gtrid + "@" + position);
        }
    };
    private final StreamSorter<String> sorter = new StreamSorter<>(3, decisions, StreamCheckpoint.firstStart(0, 0, 0), 0, 0);

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
        assertEquals(List.of("rolled back a@40"), reported);
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

        sorter.ctsLearned(B, 90);
        assertNull(sorter.peek(), "another gtrid's row does not release the wait");
        sorter.ctsLearned(A, 100);
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
        assertEquals(0, sorter.restartPosition(), "nothing read: the start position");
        rows.put(B, 7L);
        sorter.localCommit(10, "L");
        sorter.prepared(20, A, "A");
        sorter.prepared(30, B, "B");
        sorter.committed(40, B);
        assertEquals(10, sorter.restartPosition());
        sorter.poll();
        assertEquals(20, sorter.restartPosition(), "A is still prepared");
        long row = sorter.pinRow(45);
        sorter.rolledBack(50, A);
        assertEquals(30, sorter.restartPosition(), "B committed but not taken: re-read from its PREPARE");
        sorter.poll();
        assertEquals(45, sorter.restartPosition(), "a commit_log row still needed");
        sorter.unpinRow(row);
        assertEquals(50, sorter.restartPosition(), "nothing held: the last position read, recognised when read again");
    }

    @Test
    void beforeTheFirstStartsCutPositionNothingWaitsForAnUnknownCts() {
        StreamSorter<String> first = new StreamSorter<>(3, decisions, StreamCheckpoint.firstStart(5, 45, 5), 0, 0);
        first.committed(10, A);          // prepared before the start
        first.rolledBack(20, B);         // prepared before the start
        first.prepared(25, C, "C");
        first.committed(30, C);          // its row may precede every start position: left out
        first.localCommit(35, "L");
        assertEquals(List.of("below the cut a@10", "rolled back b@20", "below the cut c@30"), reported);
        assertEquals(2, first.orphanResolutions());
        assertEquals("(0,1,3,35)", first.poll().key().toString());
        first.prepared(50, B, "B");
        first.committed(60, B);
        assertEquals(List.of(new Holdup(3, B, Holdup.Reason.AWAITING_COMMIT_LOG, 60, 0)), first.holdups(0),
                "after the cut position a commit waits for its cts");
        first.ctsLearned(B, 99);
        ProtocolViolationException late = assertThrows(ProtocolViolationException.class, () -> first.rolledBack(70, A));
        assertTrue(late.getMessage().contains("the start positions were too late"), late.getMessage());
    }

    @Test
    void aCheckpointRecognisesWhatWasTakenWhenTheStreamIsReadAgain() {
        Gtrid d = Gtrid.of("d");
        rows.put(A, 40L);
        rows.put(B, 50L);
        rows.put(d, 45L);
        sorter.prepared(10, A, "A");
        sorter.prepared(20, B, "B");
        sorter.localCommit(25, "L1");
        sorter.prepared(27, d, "D");
        sorter.committed(30, B);
        sorter.localCommit(35, "L2");
        sorter.prepared(40, C, "C");
        sorter.rolledBack(45, C);
        sorter.committed(50, A);
        sorter.committed(52, d);
        sorter.probeReached(60);
        assertEquals(List.of("(0,1,3,25)", "(40,0,a)", "(45,0,d)"), take(3));
        StreamCheckpoint checkpoint = sorter.checkpoint(45);
        assertEquals(20, checkpoint.restartPosition(), "B is not taken yet");
        assertEquals(52, checkpoint.readUpTo());
        assertEquals(25, checkpoint.lastLocal());
        assertArrayEquals(new long[] {27}, checkpoint.donePrepares(), "D was taken; A's PREPARE lies before 20; C replays");
        assertEquals(45, checkpoint.watermark(), "floor_k before position 20 is 0, but what is read again follows G");

        StreamSorter<String> again = new StreamSorter<>(3, decisions, checkpoint, 45, 0);
        again.prepared(20, B, "B");
        again.localCommit(25, "L1");
        again.prepared(27, d, "D");
        again.committed(30, B);
        again.localCommit(35, "L2");
        again.prepared(40, C, "C");
        again.rolledBack(45, C);
        again.committed(50, A);
        again.committed(52, d);
        again.probeReached(70);
        List<String> keys = new ArrayList<>();
        for (KeyedTransaction<String> t; (t = again.poll()) != null; ) {
            keys.add(t.key() + " " + t.payload());
        }
        assertEquals(List.of("(50,0,b) B", "(50,1,3,35) L2"), keys,
                "L1, A and D were taken: D's PREPARE and the COMMITs of A and D are dropped without waiting");
        assertEquals(List.of("rolled back c@45", "rolled back c@45"), reported, "C's rollback replays");
        assertEquals(70, again.watermark());
    }

    @Test
    void aStreamReadAgainFromAnywhereButItsRestartPositionIsRefused() {
        StreamCheckpoint checkpoint = new StreamCheckpoint(20, 50, 0, 0, 0, StreamCheckpoint.NONE, new long[] {30});
        StreamSorter<String> late = new StreamSorter<>(0, decisions, checkpoint, 0, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> late.localCommit(25, "L"));
        assertTrue(e.getMessage().contains("exactly its restart position 20"), e.getMessage());

        StreamSorter<String> changed = new StreamSorter<>(0, decisions, checkpoint, 0, 0);
        changed.localCommit(20, "L");
        IllegalStateException missing = assertThrows(IllegalStateException.class, () -> changed.committed(35, A));
        assertTrue(missing.getMessage().contains("no XA PREPARE at position 30"), missing.getMessage());

        StreamSorter<String> first = new StreamSorter<>(0, decisions, StreamCheckpoint.firstStart(20, 20, 20), 0, 0);
        assertThrows(IllegalArgumentException.class, () -> first.localCommit(19, "L"));
        first.localCommit(21, "L");
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
        assertTrue(abort.getMessage().contains("decided to abort it (cts 0)"), abort.getMessage());
    }

    private List<String> take(int n) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keys.add(sorter.poll().key().toString());
        }
        return keys;
    }

    private List<String> drainKeys() {
        List<String> keys = new ArrayList<>();
        for (KeyedTransaction<String> t; (t = sorter.poll()) != null; ) {
            keys.add(t.key().toString());
        }
        return keys;
    }
}
