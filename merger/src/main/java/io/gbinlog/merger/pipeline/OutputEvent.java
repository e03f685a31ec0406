package io.gbinlog.merger.pipeline;

import io.gbinlog.merger.checkpoint.Checkpoint;
import io.gbinlog.merger.merge.GlobalTransaction;

/**
 * A slot of the ring from the merger thread to the writer thread. Besides transactions it carries, in order with
 * them, what the writer must persist or publish once the transactions before it are durable: the merger's global
 * watermark, and checkpoints.
 */
final class OutputEvent {

    enum Kind { TRANSACTION, WATERMARK, CHECKPOINT }

    Kind kind;
    GlobalTransaction<Captured> transaction;
    /** A global watermark G: everything with a key up to {@code (G, 0, ...)} precedes this event. */
    long watermark;
    /** A checkpoint whose binlog end the writer fills in once everything before it is durable. */
    Checkpoint checkpoint;

    void clear() {
        transaction = null;
        checkpoint = null;
    }
}
