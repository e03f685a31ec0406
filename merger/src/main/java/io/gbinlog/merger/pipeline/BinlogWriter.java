package io.gbinlog.merger.pipeline;

import com.lmax.disruptor.EventHandler;
import io.gbinlog.merger.checkpoint.Checkpoint;
import io.gbinlog.merger.checkpoint.CheckpointFile;
import io.gbinlog.merger.merge.EngineCheckpoint;
import io.gbinlog.merger.merge.GlobalTransaction;
import io.gbinlog.merger.writer.AppendedTransaction;
import io.gbinlog.merger.writer.BinlogPosition;
import io.gbinlog.merger.writer.FsyncPolicy;
import io.gbinlog.merger.writer.GlobalBinlog;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

import java.util.Arrays;

/**
 * The writer thread: appends each transaction of its ring to the global binlog and, at the end of every batch,
 * makes the batch durable in one flush (the group commit of {@link FsyncPolicy#ON_FLUSH}), then writes the last
 * checkpoint the batch carried and only then lets readers see what it covers, and publishes its watermark. A
 * checkpoint is written only after a flush, so it never covers data that is not on disk; readers never see data a
 * checkpoint does not cover, which a restart could write again differently.
 *
 * <p>Delay is measured when a transaction is durable: for a distributed transaction from the milliseconds of its cts
 * (the TSO handed out when every branch was prepared, just before the commits), for a local one from when its
 * collector delivered it (the data node's own timestamp has only seconds).
 */
final class BinlogWriter implements EventHandler<OutputEvent> {

    private final GlobalBinlog log;
    private final FsyncPolicy policy;
    private final CheckpointFile checkpoints;
    private final TransactionAppender appender;
    private final Failure failure;
    private final Wakeup wakeup;
    /** Recorded by the writer thread only: no atomic update per value. */
    private final SingleWriterRecorder delays = new SingleWriterRecorder(3);
    private long[] batchStarts = new long[256];
    private int batchCount;
    private boolean dirty;
    private EngineCheckpoint pendingCheckpoint;
    private BinlogPosition pendingCheckpointEnd;
    private long pendingCheckpointGno;
    private AppendedTransaction pendingCheckpointLast;
    private long pendingWatermark = -1;
    private long pendingCheckpointSequence = -1;
    private volatile long writtenCheckpointSequence = -1;
    private volatile long durableWatermark = -1;
    private volatile long transactions;
    private volatile Checkpoint lastCheckpoint;

    BinlogWriter(GlobalBinlog log, FsyncPolicy policy, CheckpointFile checkpoints, TransactionAppender appender,
                 Failure failure, Wakeup wakeup, Checkpoint startingCheckpoint) {
        this.wakeup = wakeup;
        this.log = log;
        this.policy = policy;
        this.checkpoints = checkpoints;
        this.appender = appender;
        this.failure = failure;
        this.lastCheckpoint = startingCheckpoint;
    }

    @Override
    public void onEvent(OutputEvent e, long sequence, boolean endOfBatch) throws Exception {
        if (failure.failed()) {
            e.clear();
            return;
        }
        switch (e.kind) {
            case TRANSACTION -> write(e.transaction);
            case CHECKPOINT -> {
                // It covers what was appended before it, not what follows it in this batch.
                pendingCheckpoint = e.checkpoint;
                pendingWatermark = e.watermark;
                pendingCheckpointSequence = sequence;
                pendingCheckpointEnd = appender.writtenEnd();
                pendingCheckpointGno = appender.writtenGno();
                pendingCheckpointLast = appender.lastAppended();
            }
        }
        e.clear();
        if (endOfBatch) {
            endOfBatch();
        }
    }

    private void write(GlobalTransaction<Captured> tx) throws Exception {
        if (!appender.append(tx)) {
            return;
        }
        dirty = true;
        transactions = transactions + 1; // one writer thread
        if (batchCount == batchStarts.length) {
            batchStarts = Arrays.copyOf(batchStarts, batchCount * 2);
        }
        batchStarts[batchCount++] = tx.isDistributed() ? tx.timestamp() >>> 22 : tx.payload(0).receivedMillis();
    }

    private void endOfBatch() throws Exception {
        if (pendingCheckpoint != null || (dirty && policy == FsyncPolicy.ON_FLUSH)) {
            log.flush();
            dirty = false;
        }
        if (pendingCheckpoint != null) {
            Checkpoint written = Checkpoint.of(pendingCheckpointEnd, pendingCheckpointGno, pendingCheckpoint);
            checkpoints.write(written, policy != FsyncPolicy.NEVER);
            lastCheckpoint = written;
            // Only now may readers see it: a restart cuts the files back to the last checkpoint.
            if (pendingCheckpointLast != null) {
                log.publish(pendingCheckpointLast);
            }
            durableWatermark = pendingWatermark;
            pendingCheckpoint = null;
            pendingCheckpointLast = null;
            writtenCheckpointSequence = pendingCheckpointSequence;
            wakeup.signal(); // the merger may hold a checkpoint back until this one is written
        }
        long now = System.currentTimeMillis();
        for (int i = 0; i < batchCount; i++) {
            delays.recordValue(Math.max(0, now - batchStarts[i]));
        }
        batchCount = 0;
        if (batchStarts.length > 4096) {
            batchStarts = new long[256];
        }
    }

    /** G of the merger as far as the files hold it: every transaction with a key up to (G, 0, ...) is written. */
    long durableWatermark() {
        return durableWatermark;
    }

    /** Sequence in the ring of the last checkpoint written (-1: none yet). */
    long writtenCheckpointSequence() {
        return writtenCheckpointSequence;
    }

    long transactions() {
        return transactions;
    }

    Checkpoint lastCheckpoint() {
        return lastCheckpoint;
    }

    /** Delays recorded since the previous call; one caller. */
    Histogram takeDelays() {
        return delays.getIntervalHistogram();
    }
}
