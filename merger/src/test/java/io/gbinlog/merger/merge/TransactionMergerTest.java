package io.gbinlog.merger.merge;

import io.gbinlog.collector.ordering.Gtrid;
import io.gbinlog.collector.ordering.Holdup;
import io.gbinlog.collector.ordering.ProtocolViolationException;
import io.gbinlog.collector.ordering.StreamCheckpoint;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tricky cases of design §3 and of restart, one at a time. */
class TransactionMergerTest {

    private static final Gtrid G1 = Gtrid.of("g1");
    private static final Gtrid G2 = Gtrid.of("g2");
    private static final List<String> NODES = List.of("dn0", "dn1", "dn2");

    private final List<String> out = new ArrayList<>();
    private TransactionMerger<String> merger = start();

    private TransactionMerger<String> start() {
        return TransactionMerger.resume(NODES, EngineCheckpoint.firstStart(NODES, new long[3]), this::record);
    }

    /** A first start at cut 300: every stream from position 5 on; binlog ends before the cut 35, 25 and 5, after it 65. */
    private TransactionMerger<String> startAtCut(CommitDecision... fromTheTable) {
        EngineCheckpoint first = EngineCheckpoint.firstStart(NODES, 300, List.of(StreamCheckpoint.firstStart(5, 35, 65),
                StreamCheckpoint.firstStart(5, 25, 65), StreamCheckpoint.firstStart(5, 5, 65)), List.of(fromTheTable));
        return TransactionMerger.resume(NODES, EngineCheckpoint.decode(first.encode()), this::record);
    }

    /** A restart: the checkpoint goes through its binary form, as the pipeline stores it. */
    private TransactionMerger<String> restart() {
        EngineCheckpoint checkpoint = EngineCheckpoint.decode(merger.checkpoint().encode());
        merger = TransactionMerger.resume(NODES, checkpoint, this::record);
        return merger;
    }

    private void record(GlobalTransaction<String> tx) {
        List<String> payloads = new ArrayList<>();
        for (int i = 0; i < tx.size(); i++) {
            payloads.add(tx.stream(i) + ":" + tx.payload(i));
        }
        out.add(tx.key() + payloads.toString());
    }

    private void probeAll(long tso) {
        for (int k = 0; k < 3; k++) {
            merger.probeReached(k, tso);
        }
    }

    private static List<String> on(String... nodes) {
        return List.of(nodes);
    }

    @Test
    void aCommitLogRowReadLateOnAnotherStreamReleasesTheWaitingStream() {
        // g1 (cts 80) runs on streams 1 (primary) and 2; stream 2 is read ahead of stream 1.
        merger.prepared(2, 100, G1, "g1b");
        merger.committed(2, 110, G1);
        merger.localCommit(2, 120, "after-g1");
        merger.probeReached(0, 90);
        merger.probeReached(1, 70);
        merger.probeReached(2, 90);
        assertEquals(List.of(), out);
        assertEquals(List.of(new Holdup(2, G1, Holdup.Reason.AWAITING_COMMIT_LOG, 110, 2)), merger.holdups(0));

        merger.prepared(1, 500, G1, "g1a");
        merger.commitLogRow(1, 510, G1, 80, on("dn1", "dn2"));
        assertTrue(merger.holdups(0).stream().noneMatch(h -> h.reason() == Holdup.Reason.AWAITING_COMMIT_LOG));
        assertEquals(90, merger.watermark(2), "stream 2 passed what it had deferred");
        assertEquals(List.of(), out, "stream 1 has g1 prepared, its cts not yet passed there");
        merger.committed(1, 520, G1);
        assertEquals(List.of("(80,0,g1)[1:g1a, 2:g1b]"), out, "one transaction of both branches");
        probeAll(200);
        assertEquals(List.of("(80,0,g1)[1:g1a, 2:g1b]", "(80,1,2,120)[2:after-g1]"), out,
                "the local commit after g1 on stream 2 is placed after g1");
    }

    @Test
    void aLongPreparedBranchHoldsItsStreamBackAndIsReported() {
        merger.localCommit(0, 100, "before");
        merger.probeReached(0, 10);
        merger.prepared(0, 200, G1, "g1");
        merger.localCommit(0, 300, "during");
        for (long tso = 20; tso <= 60; tso += 10) {
            probeAll(tso);
        }
        assertEquals(List.of("(0,1,0,100)[0:before]"), out);
        assertEquals(10, merger.globalWatermark(), "no probe after g1's PREPARE counts while g1 is prepared");
        assertEquals(List.of(new Holdup(0, G1, Holdup.Reason.PREPARED, 200, 6)), merger.holdups(3));
        assertEquals(200, merger.restartPosition(0), "the prepared branch pins its stream's restart position");

        merger.commitLogRow(0, 400, G1, 15, on("dn0"));
        merger.committed(0, 410, G1);
        assertEquals(60, merger.globalWatermark());
        assertEquals(List.of("(0,1,0,100)[0:before]", "(10,1,0,300)[0:during]", "(15,0,g1)[0:g1]"), out);
        assertEquals(410, merger.restartPosition(0), "nothing held: the last position read");
        assertTrue(merger.holdups(0).isEmpty());
    }

    @Test
    void anIdleStreamAdvancesOnlyThroughProbes() {
        merger.localCommit(0, 10, "a");
        merger.probeReached(0, 5);
        merger.localCommit(0, 20, "b");
        merger.probeReached(0, 7);
        merger.probeReached(1, 7);
        assertEquals(List.of(), out, "stream 2 has said nothing: anything may still come from it");
        merger.probeReached(2, 6);
        assertEquals(List.of("(0,1,0,10)[0:a]", "(5,1,0,20)[0:b]"), out);
        assertEquals(6, merger.globalWatermark());
    }

    @Test
    void aDecidedAbortProducesNothing() {
        merger.prepared(0, 10, G1, "g1a");
        merger.prepared(1, 10, G1, "g1b");
        merger.commitLogRow(0, 20, G1, 0, on("dn0", "dn1"));
        merger.rolledBack(0, 30, G1);
        merger.rolledBack(1, 20, G1);
        merger.localCommit(1, 30, "after");
        probeAll(50);
        probeAll(60);
        assertEquals(List.of("(0,1,1,30)[1:after]"), out);
        assertEquals(30, merger.restartPosition(0));
        assertEquals(0, merger.restartPosition(2));
    }

    @Test
    void aCommitWhoseRowNeverArrivesIsHeldAndReportedNeverDroppedOrGuessed() {
        merger.localCommit(0, 5, "before");
        merger.probeReached(0, 1);
        merger.prepared(0, 10, G1, "g1");
        merger.committed(0, 20, G1);
        merger.localCommit(0, 30, "after");
        merger.prepared(1, 10, G2, "g2");
        merger.commitLogRow(1, 20, G2, 40, on("dn1"));
        merger.committed(1, 30, G2);
        for (long tso = 50; tso <= 90; tso += 10) {
            probeAll(tso);
        }
        assertEquals(List.of("(0,1,0,5)[0:before]"), out);
        assertEquals(1, merger.globalWatermark(), "stream 0 cannot pass g1's COMMIT");
        assertEquals(List.of(new Holdup(0, G1, Holdup.Reason.AWAITING_COMMIT_LOG, 20, 6)), merger.holdups(1));
        assertEquals(10, merger.restartPosition(0));
        assertEquals(10, merger.restartPosition(1), "g2 waits behind stream 0 and pins stream 1");

        merger.commitLogRow(2, 700, G1, 45, on("dn0"));
        assertEquals(List.of("(0,1,0,5)[0:before]", "(40,0,g2)[1:g2]", "(45,0,g1)[0:g1]", "(45,1,0,30)[0:after]"), out,
                "held, not dropped: once the row arrives everything behind it comes out in order");
        assertEquals(90, merger.globalWatermark());
    }

    @Test
    void restartPositionsCoverEverythingNotYetEmittedIncludingCommitLogRows() {
        merger.prepared(1, 100, G1, "g1b");
        merger.commitLogRow(0, 50, G1, 30, on("dn0", "dn1"));
        merger.prepared(0, 60, G1, "g1a");
        merger.committed(0, 70, G1);
        merger.localCommit(2, 80, "c");
        assertEquals(50, merger.restartPosition(0), "g1's row must be read again: its cts lives only there");
        assertEquals(100, merger.restartPosition(1));
        assertEquals(80, merger.restartPosition(2));
        merger.committed(1, 110, G1);
        probeAll(40);
        assertEquals(List.of("(0,1,2,80)[2:c]", "(30,0,g1)[0:g1a, 1:g1b]"), out);
        assertEquals("(30,0,g1)", merger.lastEmittedKey().toString());
        assertEquals(70, merger.restartPosition(0));
        assertEquals(110, merger.restartPosition(1));
    }

    @Test
    void aBranchThatWroteNothingIsNotWaitedFor() {
        // MariaDB writes nothing for a branch that changed nothing: dn2 is a participant without events.
        merger.prepared(0, 10, G1, "g1a");
        merger.prepared(1, 10, G1, "g1b");
        merger.commitLogRow(0, 20, G1, 30, on("dn0", "dn1", "dn2"));
        merger.committed(0, 30, G1);
        merger.committed(1, 30, G1);
        probeAll(40);
        assertEquals(List.of("(30,0,g1)[0:g1a, 1:g1b]"), out);
    }

    @Test
    void aLocalAfterAnEmittedTransactionIsNotLostByARestart() {
        // Review 1a: L's key (400,1,0,30) was above G when the merger stopped; read again, it must come out once.
        merger.prepared(0, 10, G1, "B@0");
        merger.prepared(1, 10, G1, "B@1");
        merger.commitLogRow(0, 15, G1, 400, on("dn0", "dn1"));
        merger.committed(0, 20, G1);
        merger.committed(1, 20, G1);
        merger.localCommit(0, 30, "L");
        merger.probeReached(2, 400);
        assertEquals(List.of("(400,0,g1)[0:B@0, 1:B@1]"), out);
        assertEquals(30, merger.restartPosition(0));

        restart();
        merger.localCommit(0, 30, "L");
        probeAll(500);
        assertEquals(List.of("(400,0,g1)[0:B@0, 1:B@1]", "(400,1,0,30)[0:L]"), out, "its key is no lower than before");

        restart();
        merger.localCommit(0, 30, "L");
        probeAll(600);
        assertEquals(2, out.size(), "taken before the second restart: dropped when read a third time");
    }

    @Test
    void aBranchOfAnEmittedTransactionReadAgainNeitherStallsNorThrows() {
        // Review 1b: D (cts 400) prepared on stream 0 before T (cts 300, primary stream 1); T out, D not.
        Gtrid d = Gtrid.of("D");
        Gtrid t = Gtrid.of("T");
        merger.probeReached(2, 350);
        merger.prepared(0, 10, d, "D@0");
        merger.prepared(2, 10, d, "D@2");
        merger.prepared(0, 20, t, "T@0");
        merger.prepared(1, 20, t, "T@1");
        merger.commitLogRow(1, 25, t, 300, on("dn1", "dn0"));
        merger.commitLogRow(0, 26, d, 400, on("dn0", "dn2"));
        merger.committed(0, 30, t);
        merger.committed(1, 30, t);
        merger.committed(0, 40, d);
        merger.probeReached(1, 450);
        assertEquals(List.of("(300,0,T)[0:T@0, 1:T@1]"), out);
        EngineCheckpoint checkpoint = merger.checkpoint();
        assertEquals(10, checkpoint.restartPosition(0));
        assertEquals(30, checkpoint.restartPosition(1), "T's row on stream 1 is not needed any more");
        assertEquals(10, checkpoint.restartPosition(2));

        restart();
        merger.prepared(0, 10, d, "D@0");
        merger.prepared(2, 10, d, "D@2");
        merger.prepared(0, 20, t, "T@0");
        merger.commitLogRow(0, 26, d, 400, on("dn0", "dn2"));
        merger.committed(0, 30, t);
        merger.committed(0, 40, d);
        merger.committed(2, 40, d);
        merger.committed(1, 30, t);
        probeAll(900);
        assertEquals(List.of("(300,0,T)[0:T@0, 1:T@1]", "(400,0,D)[0:D@0, 2:D@2]"), out);
        assertTrue(merger.holdups(0).isEmpty());
    }

    @Test
    void firstStartLeavesOutWhatIsAtOrBelowTheCut() {
        Gtrid t = Gtrid.of("T");
        Gtrid u = Gtrid.of("U");
        Gtrid v = Gtrid.of("V");
        Gtrid w = Gtrid.of("W");
        Gtrid x = Gtrid.of("X");
        merger = startAtCut(new CommitDecision(w, 280, on("dn2")), new CommitDecision(x, 320, on("dn2", "dn0")));
        // T (cts 250) was prepared on stream 1 before its start: its COMMIT there, before the cut position, is left out.
        merger.prepared(0, 10, t, "T@0");
        merger.commitLogRow(0, 15, t, 250, on("dn0", "dn1"));
        merger.committed(0, 20, t);
        merger.committed(1, 20, t);
        // V committed before the cut position; its row precedes every start position: nothing waits for it.
        merger.prepared(1, 21, v, "V@1");
        merger.committed(1, 22, v);
        merger.localCommit(0, 30, "L-below");
        merger.prepared(0, 40, u, "U@0");
        merger.commitLogRow(0, 45, u, 350, on("dn0"));
        merger.committed(0, 50, u);
        merger.localCommit(0, 60, "L-above");
        // W and X were prepared when XA RECOVER ran; their rows come from the table.
        merger.prepared(2, 6, w, "W@2");
        merger.prepared(2, 7, x, "X@2");
        merger.committed(2, 70, w);
        merger.committed(2, 71, x);
        probeAll(400);
        assertEquals(List.of("(320,0,X)[2:X@2]", "(350,0,U)[0:U@0]", "(350,1,0,60)[0:L-above]"), out);
        assertEquals(1, merger.orphanResolutions());
    }

    @Test
    void aFirstStartDoneWrongStopsTheMergerRatherThanLoseABranch() {
        merger = startAtCut();
        ProtocolViolationException late = assertThrows(ProtocolViolationException.class, () -> merger.committed(1, 30, G1));
        assertTrue(late.getMessage().contains("after the first start's cut position 25: the start positions were too late"),
                late.getMessage());

        merger = startAtCut();
        merger.committed(1, 20, G2);
        merger.localCommit(1, 30, "L");
        ProtocolViolationException above = assertThrows(ProtocolViolationException.class,
                () -> merger.commitLogRow(0, 40, G2, 305, on("dn1")));
        assertTrue(above.getMessage().contains("has cts 305, above the first start's cut 300"), above.getMessage());
    }

    @Test
    void rowsReadFromTheTableAreCarriedByCheckpointsUntilNeededNoMore() {
        Gtrid x = Gtrid.of("X");
        merger = startAtCut(new CommitDecision(x, 320, on("dn2", "dn0")));
        merger.prepared(2, 7, x, "X@2");
        restart();
        assertEquals(List.of(new CommitDecision(x, 320, on("dn0", "dn2"))), merger.checkpoint().decisions());
        merger.prepared(2, 7, x, "X@2");
        merger.committed(2, 71, x);
        probeAll(400);
        assertEquals(List.of("(320,0,X)[2:X@2]"), out);
        assertEquals(List.of(), merger.checkpoint().decisions());
    }

    @Test
    void aCommitAfterADecidedAbortIsAViolationWhicheverIsReadFirst() {
        merger.prepared(0, 10, G1, "X");
        merger.commitLogRow(0, 15, G1, 0, on("dn0"));
        ProtocolViolationException e = assertThrows(ProtocolViolationException.class, () -> merger.committed(0, 20, G1));
        assertTrue(e.getMessage().contains("decided to abort it (cts 0)"), e.getMessage());

        merger = start();
        merger.prepared(1, 10, G1, "X");
        merger.committed(1, 20, G1);
        ProtocolViolationException late = assertThrows(ProtocolViolationException.class,
                () -> merger.commitLogRow(0, 15, G1, 0, on("dn1")));
        assertTrue(late.getMessage().contains("decided to abort it (cts 0)"), late.getMessage());
    }

    @Test
    void aRollbackOfACommittedTransactionIsAViolationWhicheverIsReadFirst() {
        merger.prepared(0, 10, G1, "X");
        merger.commitLogRow(0, 15, G1, 30, on("dn0"));
        ProtocolViolationException e = assertThrows(ProtocolViolationException.class, () -> merger.rolledBack(0, 20, G1));
        assertTrue(e.getMessage().contains("rolled back but its __gbinlog.commit_log row says cts 30"), e.getMessage());

        merger = start();
        merger.prepared(1, 10, G1, "X");
        merger.rolledBack(1, 20, G1);
        ProtocolViolationException late = assertThrows(ProtocolViolationException.class,
                () -> merger.commitLogRow(0, 15, G1, 30, on("dn0", "dn1")));
        assertTrue(late.getMessage().contains("its branch was rolled back on data node dn1"), late.getMessage());
    }

    @Test
    void participantsAreCheckedAgainstTheConfiguredDataNodesAndTheBranches() {
        ProtocolViolationException unknown = assertThrows(ProtocolViolationException.class,
                () -> merger.commitLogRow(0, 15, G1, 30, on("dn0", "dn7")));
        assertTrue(unknown.getMessage().contains("lists participant 'dn7', which is not one of the data nodes gbinlog reads"
                + " [dn0, dn1, dn2]"), unknown.getMessage());

        merger = start();
        merger.prepared(0, 10, G1, "a");
        merger.prepared(2, 10, G1, "c");
        merger.commitLogRow(0, 15, G1, 30, on("dn0"));
        merger.committed(0, 20, G1);
        merger.committed(2, 20, G1);
        ProtocolViolationException stray = assertThrows(ProtocolViolationException.class, () -> probeAll(40));
        assertTrue(stray.getMessage().contains("committed a branch on data node dn2 at position 10, which its"
                + " __gbinlog.commit_log row does not list"), stray.getMessage());
    }

    @Test
    void aGtridReusedOnOneDataNodeIsAViolation() {
        merger.prepared(0, 10, G1, "first");
        merger.commitLogRow(0, 15, G1, 30, on("dn0"));
        merger.committed(0, 20, G1);
        merger.prepared(0, 30, G1, "second");
        merger.committed(0, 40, G1);
        ProtocolViolationException e = assertThrows(ProtocolViolationException.class, () -> probeAll(50));
        assertTrue(e.getMessage().contains("committed two branches on data node dn0 (prepared at positions 10 and 30)"),
                e.getMessage());
    }

    @Test
    void restartIsRefusedWithAnotherConfigurationOrFromTheSink() {
        EngineCheckpoint checkpoint = merger.checkpoint();
        IllegalArgumentException nodes = assertThrows(IllegalArgumentException.class,
                () -> TransactionMerger.resume(List.of("dn0", "dn2", "dn1"), checkpoint, tx -> { }));
        assertTrue(nodes.getMessage().contains("same data nodes in the same order"), nodes.getMessage());

        List<IllegalStateException> fromSink = new ArrayList<>();
        TransactionMerger<String>[] self = new TransactionMerger[1];
        Consumer<GlobalTransaction<String>> sink = tx -> fromSink.add(assertThrows(IllegalStateException.class, self[0]::checkpoint));
        self[0] = TransactionMerger.resume(NODES, checkpoint, sink);
        self[0].localCommit(0, 10, "L");
        for (int k = 0; k < 3; k++) {
            self[0].probeReached(k, 5);
        }
        assertEquals(1, fromSink.size());
        assertNull(checkpoint.lastEmittedKey());
    }

    @Test
    void contradictingCommitLogRowsAreAProtocolViolation() {
        merger.commitLogRow(0, 10, G1, 30, on("dn0", "dn1"));
        merger.commitLogRow(0, 10, G1, 30, on("dn0", "dn1"));
        ProtocolViolationException e = assertThrows(ProtocolViolationException.class,
                () -> merger.commitLogRow(1, 10, G1, 31, on("dn0", "dn1")));
        assertTrue(e.getMessage().contains("says cts 31 but the row read on data node dn0 (stream 0) at position 10 says 30"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> merger.localCommit(3, 10, "x"));
    }
}
