package io.gbinlog.integration.coordinator;

/**
 * A step of the commit protocol where a coordinator can die: {@link Transaction#crashAt} simulates it
 * (every connection of the session dropped without rolling anything back), {@link Transaction#pauseAt}
 * lets a test kill the whole process there. Either way the prepared branches stay on their data nodes
 * for {@link Recovery}.
 */
public enum CrashPoint {
    /** Every branch prepared, no timestamp taken, no decision written: recovery must roll back. */
    AFTER_PREPARE,
    /** The commit_log row is written, no branch committed: recovery must commit. */
    AFTER_DECISION,
    /** The first participant committed, the others still prepared: recovery must commit the rest. */
    AFTER_FIRST_COMMIT
}
