package io.gbinlog.merger.pipeline;

import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import io.gbinlog.collector.capture.BinlogCoordinates;
import io.gbinlog.collector.ordering.StreamSorter;
import io.gbinlog.merger.checkpoint.Checkpoint;
import io.gbinlog.merger.merge.GlobalTransaction;
import io.gbinlog.merger.merge.TransactionMerger;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The merger thread: polls every collector ring, drives the one {@link TransactionMerger}, and publishes what goes
 * to the global binlog, in order, into the writer's ring: the transactions the {@link ResumeFilter} admits, the
 * global watermark after each round, and every checkpoint interval the state a restart needs. The writer persists
 * a checkpoint once everything before it in the ring is durable, so a checkpoint never claims more than the files
 * hold.
 */
final class MergeLoop implements Runnable {

    /** Events taken from one ring before looking at the others: no stream starves the rest. */
    private static final int EVENTS_PER_POLL = 512;
    private static final long WATCH_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Streams streams;
    private final CollectorRing[] rings;
    private final Feed[] feeds;
    private final TransactionMerger<Captured> merger;
    private final ResumeFilter filter;
    private final HoldupWatch watch;
    private final RingBuffer<OutputEvent> output;
    private final Wakeup wakeup;
    private final Checkpoint.Cut cut;
    private final List<BinlogCoordinates> cutPositions;
    private final long checkpointIntervalNanos;
    private final Failure failure;
    /** Per stream the position of the last event group given to the merger, or its start position. */
    private final long[] lastFed;
    private long publishedWatermark = -1;
    private volatile long globalWatermark;
    private volatile boolean stopping;

    MergeLoop(Streams streams, CollectorRing[] rings, ResumeFilter filter, HoldupWatch watch,
              RingBuffer<OutputEvent> output, Wakeup wakeup, Checkpoint.Cut cut, List<BinlogCoordinates> cutPositions,
              long checkpointIntervalNanos, Failure failure) {
        this.streams = streams;
        this.rings = rings;
        this.filter = filter;
        this.watch = watch;
        this.output = output;
        this.wakeup = wakeup;
        this.cut = cut;
        this.cutPositions = List.copyOf(cutPositions);
        this.checkpointIntervalNanos = checkpointIntervalNanos;
        this.failure = failure;
        this.merger = new TransactionMerger<>(rings.length, filter.handledUpTo(), this::emitted);
        this.feeds = new Feed[rings.length];
        this.lastFed = new long[rings.length];
        for (int k = 0; k < rings.length; k++) {
            feeds[k] = new Feed(k);
            lastFed[k] = streams.start(k);
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
            observeWatermark();
            long now = System.nanoTime();
            if (now - nextWatch >= 0) {
                watch.check(merger, System.currentTimeMillis());
                observeWatermark();
                nextWatch = now + WATCH_EVERY_NANOS;
            }
            if (now - nextCheckpoint >= 0) {
                publishCheckpoint();
                nextCheckpoint = now + checkpointIntervalNanos;
            }
            if (!busy) {
                if (stopping && allDrained()) {
                    break;
                }
                wakeup.sleep(Math.min(nextWatch, nextCheckpoint) - now, () -> allDrained() && !stopping);
            }
        }
        if (!failure.failed()) {
            publishCheckpoint();
        }
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
            if (e.kind != CaptureEvent.Kind.PROBE) {
                lastFed[k] = e.position;
            }
            e.clear();
            return ++taken < EVENTS_PER_POLL;
        }
    }

    /** The merger's sink: runs inside the merger call that raised G. */
    private void emitted(GlobalTransaction<Captured> tx) {
        if (!filter.admit(tx)) {
            return;
        }
        long sequence = claim();
        OutputEvent e = output.get(sequence);
        e.kind = OutputEvent.Kind.TRANSACTION;
        e.transaction = tx;
        output.publish(sequence);
    }

    private void observeWatermark() {
        long g = merger.globalWatermark();
        if (g == publishedWatermark) {
            return;
        }
        filter.observeWatermark(g);
        long sequence = claim();
        OutputEvent e = output.get(sequence);
        e.kind = OutputEvent.Kind.WATERMARK;
        e.watermark = g;
        output.publish(sequence);
        publishedWatermark = g;
        globalWatermark = g;
    }

    /**
     * What a restart needs, as of now. Until the cut has settled the checkpoint written at the first start stands:
     * a restart repeats the first start.
     */
    private void publishCheckpoint() {
        if (!filter.settled()) {
            return;
        }
        List<Checkpoint.Stream> states = new ArrayList<>();
        for (int k = 0; k < rings.length; k++) {
            long held = merger.restartPosition(k);
            long restart = held == StreamSorter.NOTHING_TO_REREAD ? lastFed[k] : Math.min(held, lastFed[k]);
            long local = filter.lastLocal(k);
            states.add(new Checkpoint.Stream(streams.id(k), cutPositions.get(k).toString(),
                    streams.coordinates(k, restart).toString(),
                    local == ResumeFilter.NONE ? null : streams.coordinates(k, local).toString()));
        }
        Checkpoint.Distributed last = filter.lastDistributedCts() == ResumeFilter.NONE ? null
                : new Checkpoint.Distributed(filter.lastDistributedCts(), filter.lastDistributedGtrid());
        long sequence = claim();
        OutputEvent e = output.get(sequence);
        e.kind = OutputEvent.Kind.CHECKPOINT;
        e.checkpoint = new Checkpoint(Checkpoint.FORMAT, null, new Checkpoint.Cut(cut.tso(), true), last, states);
        output.publish(sequence);
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
