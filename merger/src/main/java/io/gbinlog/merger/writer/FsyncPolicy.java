package io.gbinlog.merger.writer;

/** When the global binlog forces written data to disk. */
public enum FsyncPolicy {
    /** After every appended transaction: nothing acknowledged is ever lost, at one fsync per transaction. */
    EVERY_TRANSACTION,
    /** On {@link GlobalBinlog#flush()}: the pipeline calls it at the end of a batch (group commit). */
    ON_FLUSH,
    /** Never explicitly (except at rotation and close): the OS decides; a crash may lose the tail. */
    NEVER
}
