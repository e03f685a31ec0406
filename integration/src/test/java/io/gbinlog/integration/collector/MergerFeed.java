package io.gbinlog.integration.collector;

import io.gbinlog.collector.capture.CaptureListener;
import io.gbinlog.collector.capture.EventGroup;
import io.gbinlog.collector.ordering.Gtrid;
import io.gbinlog.merger.merge.EngineCheckpoint;
import io.gbinlog.merger.merge.GlobalTransaction;
import io.gbinlog.merger.merge.TransactionMerger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Collectors straight into the real ordering engine. The pipeline will publish through one ring per collector;
 * here a lock serialises the collectors' threads, which keeps each stream's order.
 */
final class MergerFeed implements CaptureListener {

    private final TransactionMerger<EventGroup> merger;
    private final List<GlobalTransaction<EventGroup>> emitted = new ArrayList<>();

    MergerFeed(int streams) {
        List<String> nodes = IntStream.range(0, streams).mapToObj(k -> "dn" + k).toList();
        this.merger = TransactionMerger.resume(nodes, EngineCheckpoint.firstStart(nodes, new long[streams]), emitted::add);
    }

    @Override
    public synchronized void prepared(int stream, long position, Gtrid gtrid, EventGroup payload) {
        merger.prepared(stream, position, gtrid, payload);
        notifyAll();
    }

    @Override
    public synchronized void committed(int stream, long position, Gtrid gtrid) {
        merger.committed(stream, position, gtrid);
        notifyAll();
    }

    @Override
    public synchronized void rolledBack(int stream, long position, Gtrid gtrid) {
        merger.rolledBack(stream, position, gtrid);
        notifyAll();
    }

    @Override
    public synchronized void localCommit(int stream, long position, EventGroup payload) {
        merger.localCommit(stream, position, payload);
        notifyAll();
    }

    @Override
    public synchronized void commitLogRow(int stream, long position, Gtrid gtrid, long cts, List<String> participants) {
        merger.commitLogRow(stream, position, gtrid, cts, participants);
        notifyAll();
    }

    @Override
    public synchronized void probeReached(int stream, long tso) {
        merger.probeReached(stream, tso);
        notifyAll();
    }

    synchronized TransactionMerger<EventGroup> merger() {
        return merger;
    }

    synchronized List<GlobalTransaction<EventGroup>> emitted() {
        return List.copyOf(emitted);
    }

    /** Waits until the global watermark passes {@code tso}: everything committed before it was emitted. */
    synchronized void awaitWatermarkAbove(long tso, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (merger.globalWatermark() <= tso) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                StringBuilder why = new StringBuilder();
                for (int k = 0; k < 64; k++) {
                    try {
                        why.append(" W").append(k).append('=').append(merger.watermark(k));
                    } catch (IllegalArgumentException noMoreStreams) {
                        break;
                    }
                }
                throw new AssertionError("global watermark " + merger.globalWatermark() + " did not pass " + tso
                        + " within " + timeout + ":" + why + " holdups " + merger.holdups(0));
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
