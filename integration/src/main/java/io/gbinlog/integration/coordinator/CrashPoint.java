package io.gbinlog.integration.coordinator;

/**
 * Where {@link Transaction#crashAt} makes the coordinator die: it drops every connection of its session
 * without rolling anything back, as a killed process would, and the transaction's branches stay prepared
 * on their data nodes for {@link Recovery}.
 */
public enum CrashPoint {
    /** Every branch prepared, no timestamp taken, no decision written: recovery must roll back. */
    AFTER_PREPARE,
    /** The commit_log row is written, no branch committed: recovery must commit. */
    AFTER_DECISION,
    /** The first participant committed, the others still prepared: recovery must commit the rest. */
    AFTER_FIRST_COMMIT
}
