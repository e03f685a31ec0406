package io.gbinlog.merger.pipeline;

import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import io.gbinlog.merger.merge.EngineCheckpoint;
import io.gbinlog.merger.merge.GlobalTransaction;
import io.gbinlog.merger.merge.TransactionMerger;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The merger thread: polls every collector ring, drives the one {@link TransactionMerger}, and publishes into the
 * writer's ring, in order, the transactions it hands over and the engine's checkpoint with its watermark: after a
 * round that moved the global watermark once the writer has written the previous checkpoint, and at least every
 * checkpoint interval. One checkpoint in flight at a time: the writer keeps only the last one of a batch anyway, and
 * building one costs the merger as much as merging many transactions; an idle writer still gets one right after
 * every move, so readers see new transactions without waiting. The writer persists a checkpoint once everything
 * before it in the ring is durable, so a checkpoint never claims more than the files hold; a restart resumes the
 * engine from it and the engine hands over exactly what follows.
 */
final class MergeLoop implements Runnable {

    /** Events taken from one ring before looking at the others: no stream starves the rest. */
    private static final int EVENTS_PER_POLL = 512;
    private static final long WATCH_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final CollectorRing[] rings;
    private final Feed[] feeds;
    private final TransactionMerger<Captured> merger;
    private final HoldupWatch watch;
    private final RingBuffer<OutputEvent> output;
    private final Wakeup wakeup;
    private final long checkpointIntervalNanos;
    private final Failure failure;
    private final BinlogWriter writer;
    /** Sequence in the writer's ring of the last checkpoint published. */
    private long checkpointSequence = -1;
    private long checkpointedWatermark = -1;
    private boolean emittedSinceCheckpoint;
    private volatile long globalWatermark;
    private volatile boolean stopping;

    MergeLoop(Streams streams, EngineCheckpoint from, CollectorRing[] rings, HoldupWatch watch,
              RingBuffer<OutputEvent> output, Wakeup wakeup, long checkpointIntervalNanos, Failure failure,
              BinlogWriter writer) {
        this.writer = writer;
        this.rings = rings;
        this.watch = watch;
        this.output = output;
        this.wakeup = wakeup;
        this.checkpointIntervalNanos = checkpointIntervalNanos;
        this.failure = failure;
        this.merger = TransactionMerger.resume(streams.ids(), from, this::emitted);
        this.globalWatermark = merger.globalWatermark();
        this.feeds = new Feed[rings.length];
        for (int k = 0; k < rings.length; k++) {
            feeds[k] = new Feed(k);
        }
    }

    /** The merger's global watermark G. Any thread. */
    long globalWatermark() {
        return globalWatermark;
    }

    /** Ends the loop once every ring is drained; the collectors must be stopped first. */
    void stop() {
        stopping = true;
        wakeup.signal();
    }

    @Override
    public void run() {
        try {
            loop();
        } catch (Throwable t) {
            failure.fail(t);
        }
    }

    private void loop() throws Exception {
        long nextWatch = System.nanoTime() + WATCH_EVERY_NANOS;
        long nextCheckpoint = System.nanoTime() + checkpointIntervalNanos;
        while (!failure.failed()) {
            boolean busy = false;
            for (int k = 0; k < rings.length; k++) {
                feeds[k].taken = 0;
                if (rings[k].poller().poll(feeds[k]) == EventPoller.PollState.PROCESSING) {
                    busy = true;
                }
            }
            long now = System.nanoTime();
            if (now - nextWatch >= 0) {
                watch.check(merger, System.currentTimeMillis());
                nextWatch = now + WATCH_EVERY_NANOS;
            }
            globalWatermark = merger.globalWatermark();
            // Readers see the global binlog up to the last checkpoint: one follows every move of the watermark.
            if (checkpointDue() || now - nextCheckpoint >= 0) {
                publishCheckpoint();
                nextCheckpoint = now + checkpointIntervalNanos;
            }
            if (!busy) {
                if (stopping && allDrained()) {
                    break;
                }
                // The writer signals when it has written a checkpoint: a move waiting for it is published then.
                wakeup.sleep(Math.min(nextWatch, nextCheckpoint) - now,
                        () -> allDrained() && !stopping && !checkpointDue());
            }
        }
        if (!failure.failed()) {
            publishCheckpoint();
        }
    }

    /** The watermark moved (or transactions went out) and the writer has written the previous checkpoint. */
    private boolean checkpointDue() {
        return (merger.globalWatermark() != checkpointedWatermark || emittedSinceCheckpoint)
                && writer.writtenCheckpointSequence() >= checkpointSequence;
    }

    private boolean allDrained() {
        for (CollectorRing r : rings) {
            if (!r.drained()) {
                return false;
            }
        }
        return true;
    }

    /** Takes events from one ring into the merger. */
    private final class Feed implements EventPoller.Handler<CaptureEvent> {
        private final int stream;
        int taken;

        Feed(int stream) {
            this.stream = stream;
        }

        @Override
        public boolean onEvent(CaptureEvent e, long sequence, boolean endOfBatch) {
            int k = stream;
            switch (e.kind) {
                case PREPARED -> merger.prepared(k, e.position, e.gtrid, e.captured);
                case COMMITTED -> merger.committed(k, e.position, e.gtrid);
                case ROLLED_BACK -> merger.rolledBack(k, e.position, e.gtrid);
                case LOCAL -> merger.localCommit(k, e.position, e.captured);
                case COMMIT_LOG_ROW -> merger.commitLogRow(k, e.position, e.gtrid, e.value, e.participants);
                case PROBE -> merger.probeReached(k, e.value);
            }
            e.clear();
            return ++taken < EVENTS_PER_POLL;
        }
    }

    /** The merger's sink: runs inside the merger call that raised G. */
    private void emitted(GlobalTransaction<Captured> tx) {
        long sequence = claim();
        OutputEvent e = output.get(sequence);
        e.kind = OutputEvent.Kind.TRANSACTION;
        e.transaction = tx;
        output.publish(sequence);
        emittedSinceCheckpoint = true;
    }

    /** The engine's checkpoint as of now, between two input calls: consistent with what was handed over. */
    private void publishCheckpoint() {
        long g = merger.globalWatermark();
        long sequence = claim();
        OutputEvent e = output.get(sequence);
        e.kind = OutputEvent.Kind.CHECKPOINT;
        e.checkpoint = merger.checkpoint();
        e.watermark = g;
        output.publish(sequence);
        checkpointSequence = sequence;
        checkpointedWatermark = g;
        emittedSinceCheckpoint = false;
    }

    /** A slot in the writer's ring; waits while the writer is behind (back-pressure onto the collector rings). */
    private long claim() {
        while (true) {
            try {
                return output.tryNext();
            } catch (InsufficientCapacityException full) {
                if (failure.failed()) {
                    throw new IllegalStateException("the global binlog writer stopped", failure.cause());
                }
                LockSupport.parkNanos(this, 50_000);
            }
        }
    }
}
