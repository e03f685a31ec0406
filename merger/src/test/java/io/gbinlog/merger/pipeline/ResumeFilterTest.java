package io.gbinlog.merger.pipeline;

import io.gbinlog.collector.ordering.Gtrid;
import io.gbinlog.merger.merge.GlobalTransaction;
import io.gbinlog.merger.merge.TransactionMerger;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which merged transactions a run writes, around the first start's cut and after restarts. */
class ResumeFilterTest {

    private static final long CUT = 100;
    private static final long[] CUT_AT = {50, 50};
    private static final long[] NOTHING = {ResumeFilter.NONE, ResumeFilter.NONE};

    private final List<GlobalTransaction<Captured>> emitted = new ArrayList<>();
    private final TransactionMerger<Captured> merger = new TransactionMerger<>(2, CUT, emitted::add);

    private static Captured at(long position) {
        return new Captured(null, position, 0);
    }

    private List<String> admitted(ResumeFilter filter) {
        List<String> written = new ArrayList<>();
        for (GlobalTransaction<Captured> tx : emitted) {
            if (filter.admit(tx)) {
                written.add(tx.isDistributed() ? tx.gtrid().toString() : tx.stream(0) + "@" + tx.payload(0).position());
            }
        }
        return written;
    }

    @Test
    void aFirstStartDropsWhatLiesBeforeTheCut() {
        merger.localCommit(0, 10, at(10));   // before the cut position, floor 0: before the cut
        merger.localCommit(0, 60, at(60));   // after the cut position, floor still 0: after the cut
        merger.prepared(1, 20, Gtrid.of("early"), at(20));
        merger.commitLogRow(1, 30, Gtrid.of("early"), 90, 1);
        merger.committed(1, 40, Gtrid.of("early"));   // cts 90: before the cut
        merger.prepared(1, 60, Gtrid.of("late"), at(60));
        merger.commitLogRow(1, 70, Gtrid.of("late"), 120, 1);
        merger.committed(1, 80, Gtrid.of("late"));
        merger.probeReached(0, 150);
        merger.probeReached(1, 150);
        ResumeFilter filter = new ResumeFilter(CUT, CUT_AT, false, ResumeFilter.NONE, null, NOTHING);
        assertEquals(List.of("0@60", "late"), admitted(filter));
        assertEquals(60, filter.lastLocal(0), "the dropped local counts as handled, then the written one");
        assertEquals(120, filter.lastDistributedCts());
        assertFalse(filter.settled());
        filter.observeWatermark(merger.globalWatermark());
        assertTrue(filter.settled());
    }

    @Test
    void aRestartDropsWhatTheFilesAlreadyHold() {
        merger.localCommit(0, 60, at(60));
        merger.localCommit(0, 70, at(70));   // re-read with floor 0, yet after what was handled: written
        merger.prepared(1, 60, Gtrid.of("written"), at(60));
        merger.commitLogRow(1, 70, Gtrid.of("written"), 120, 1);
        merger.committed(1, 80, Gtrid.of("written"));
        merger.prepared(1, 90, Gtrid.of("new"), at(90));
        merger.commitLogRow(1, 95, Gtrid.of("new"), 130, 1);
        merger.committed(1, 99, Gtrid.of("new"));
        merger.probeReached(0, 150);
        merger.probeReached(1, 150);
        ResumeFilter filter = new ResumeFilter(CUT, CUT_AT, true, 120, "7772697474656e", new long[] {60, ResumeFilter.NONE});
        assertEquals(120, filter.handledUpTo());
        assertEquals(List.of("0@70", "new"), admitted(filter));
    }
}
