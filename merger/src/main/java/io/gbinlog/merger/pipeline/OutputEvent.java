package io.gbinlog.merger.pipeline;

import io.gbinlog.merger.merge.EngineCheckpoint;
import io.gbinlog.merger.merge.GlobalTransaction;

/**
 * A slot of the ring from the merger thread to the writer thread. Besides transactions it carries, in order with
 * them, the engine's checkpoints: the writer persists one, and publishes what it covers, once the transactions
 * before it are durable.
 */
final class OutputEvent {

    enum Kind { TRANSACTION, CHECKPOINT }

    Kind kind;
    GlobalTransaction<Captured> transaction;
    /** The engine's checkpoint, consistent with exactly the transactions before this event. */
    EngineCheckpoint checkpoint;
    /** The merger's global watermark G with the checkpoint: everything with a key up to {@code (G, 0, ...)}. */
    long watermark;

    void clear() {
        transaction = null;
        checkpoint = null;
    }
}
