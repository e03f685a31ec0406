package io.gbinlog.merger.merge;

import io.gbinlog.collector.ordering.Gtrid;
import io.gbinlog.collector.ordering.Holdup;
import io.gbinlog.collector.ordering.ProtocolViolationException;
import io.gbinlog.collector.ordering.StreamSorter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tricky cases of design §3, one at a time. */
class TransactionMergerTest {

    private static final Gtrid G1 = Gtrid.of("g1");
    private static final Gtrid G2 = Gtrid.of("g2");

    private final List<String> out = new ArrayList<>();
    private final TransactionMerger<String> merger = new TransactionMerger<>(3, tx -> {
        List<String> payloads = new ArrayList<>();
        for (int i = 0; i < tx.size(); i++) {
            payloads.add(tx.stream(i) + ":" + tx.payload(i));
        }
        out.add(tx.key() + payloads.toString());
    });

    private void probeAll(long tso) {
        for (int k = 0; k < 3; k++) {
            merger.probeReached(k, tso);
        }
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
        merger.commitLogRow(1, 510, G1, 80, 2);
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

        merger.commitLogRow(0, 400, G1, 15, 1);
        merger.committed(0, 410, G1);
        assertEquals(60, merger.globalWatermark());
        assertEquals(List.of("(0,1,0,100)[0:before]", "(10,1,0,300)[0:during]", "(15,0,g1)[0:g1]"), out);
        assertEquals(StreamSorter.NOTHING_TO_REREAD, merger.restartPosition(0));
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
        merger.commitLogRow(0, 20, G1, 0, 2);
        merger.rolledBack(0, 30, G1);
        merger.rolledBack(1, 20, G1);
        merger.localCommit(1, 30, "after");
        probeAll(50);
        probeAll(60);
        assertEquals(List.of("(0,1,1,30)[1:after]"), out);
        for (int k = 0; k < 3; k++) {
            assertEquals(StreamSorter.NOTHING_TO_REREAD, merger.restartPosition(k));
        }
        assertEquals(0, merger.unclaimedCommitLogRows());
    }

    @Test
    void aCommitWhoseRowNeverArrivesIsHeldAndReportedNeverDroppedOrGuessed() {
        merger.localCommit(0, 5, "before");
        merger.probeReached(0, 1);
        merger.prepared(0, 10, G1, "g1");
        merger.committed(0, 20, G1);
        merger.localCommit(0, 30, "after");
        merger.prepared(1, 10, G2, "g2");
        merger.commitLogRow(1, 20, G2, 40, 1);
        merger.committed(1, 30, G2);
        for (long tso = 50; tso <= 90; tso += 10) {
            probeAll(tso);
        }
        assertEquals(List.of("(0,1,0,5)[0:before]"), out);
        assertEquals(1, merger.globalWatermark(), "stream 0 cannot pass g1's COMMIT");
        assertEquals(List.of(new Holdup(0, G1, Holdup.Reason.AWAITING_COMMIT_LOG, 20, 6)), merger.holdups(1));
        assertEquals(10, merger.restartPosition(0));
        assertEquals(10, merger.restartPosition(1), "g2 waits behind stream 0 and pins stream 1");

        merger.commitLogRow(2, 700, G1, 45, 1);
        assertEquals(List.of("(0,1,0,5)[0:before]", "(40,0,g2)[1:g2]", "(45,0,g1)[0:g1]", "(45,1,0,30)[0:after]"), out,
                "held, not dropped: once the row arrives everything behind it comes out in order");
        assertEquals(90, merger.globalWatermark());
    }

    @Test
    void restartPositionsCoverEverythingNotYetEmittedIncludingCommitLogRows() {
        merger.prepared(1, 100, G1, "g1b");
        merger.commitLogRow(0, 50, G1, 30, 2);
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
        for (int k = 0; k < 3; k++) {
            assertEquals(StreamSorter.NOTHING_TO_REREAD, merger.restartPosition(k));
        }
    }

    @Test
    void rowsOfTransactionsWhoseBranchesWereNeverReadAreRetired() {
        // g1's branches precede the start positions; only its row, and an orphan COMMIT, are read.
        merger.commitLogRow(0, 10, G1, 30, 2);
        merger.committed(1, 10, G1);
        assertEquals(10, merger.restartPosition(0));
        probeAll(40);
        assertEquals(List.of(), out);
        assertEquals(1, merger.unclaimedCommitLogRows());
        assertEquals(1, merger.orphanResolutions());
        assertEquals(StreamSorter.NOTHING_TO_REREAD, merger.restartPosition(0));
        merger.commitLogRow(2, 20, G2, 35, 1);
        assertEquals(2, merger.unclaimedCommitLogRows(), "a row below G can matter to no stream");
        assertNull(merger.lastEmittedKey());
    }

    @Test
    void branchesMissingWhenTheirCtsIsPassedAreAProtocolViolation() {
        merger.prepared(0, 10, G1, "g1");
        merger.commitLogRow(0, 20, G1, 30, 2);
        merger.committed(0, 30, G1);
        merger.probeReached(1, 40);
        ProtocolViolationException e = assertThrows(ProtocolViolationException.class, () -> merger.probeReached(2, 40));
        assertTrue(e.getMessage().contains("lists 2 participants"), e.getMessage());
    }

    @Test
    void transactionsUpToWhereAnEarlierRunStoppedMayBeReadInPart() {
        // Restarted where transactions up to cts 35 were already emitted: g1 (cts 30) is read again on stream 0
        // only, its other branch lies before stream 1's restart position. It comes out as read; g2 is checked.
        List<String> again = new ArrayList<>();
        TransactionMerger<String> resumed = new TransactionMerger<>(2, 35, tx -> again.add(tx.toString()));
        resumed.prepared(0, 10, G1, "g1");
        resumed.commitLogRow(0, 20, G1, 30, 2);
        resumed.committed(0, 30, G1);
        resumed.probeReached(1, 40);
        resumed.probeReached(0, 40);
        assertEquals(List.of("(30,0,g1) from stream 0"), again);
        resumed.prepared(0, 50, G2, "g2");
        resumed.commitLogRow(0, 60, G2, 45, 2);
        resumed.committed(0, 70, G2);
        assertThrows(ProtocolViolationException.class, () -> resumed.probeReached(1, 50),
                "g2 (cts 45) is after the resume point: a missing branch is a violation");
    }

    @Test
    void contradictingCommitLogRowsAreAProtocolViolation() {
        merger.commitLogRow(0, 10, G1, 30, 2);
        merger.commitLogRow(0, 10, G1, 30, 2);
        ProtocolViolationException e = assertThrows(ProtocolViolationException.class,
                () -> merger.commitLogRow(1, 10, G1, 31, 2));
        assertTrue(e.getMessage().contains("says cts 31 but the row read on stream 0 at position 10 says 30"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> merger.localCommit(3, 10, "x"));
    }
}
