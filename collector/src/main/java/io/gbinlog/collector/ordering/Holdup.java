package io.gbinlog.collector.ordering;

/**
 * A transaction that holds a stream's watermark back, for operators: a branch still prepared, or a
 * commit whose cts is unknown because its {@code __gbinlog.commit_log} row has not been read.
 * Its age is given in events read on the stream since then (probes count, so an idle stream ages too).
 *
 * @param position the binlog position of the PREPARE, or of the COMMIT awaiting its row
 */
public record Holdup(int stream, Gtrid gtrid, Reason reason, long position, long eventsSince) {

    public enum Reason {
        /** Prepared, neither committed nor rolled back yet: no later commit or probe on its stream can count. */
        PREPARED,
        /** Committed, but no commit_log row with its cts has been read: its stream cannot assign keys past it. */
        AWAITING_COMMIT_LOG
    }

    @Override
    public String toString() {
        return reason == Reason.PREPARED
                ? "stream " + stream + ": XA branch '" + gtrid + "' prepared at position " + position
                        + " is neither committed nor rolled back (" + eventsSince + " events since)"
                : "stream " + stream + ": XA branch '" + gtrid + "' committed at position " + position
                        + " but no __gbinlog.commit_log row with its cts has been read (" + eventsSince + " events since)";
    }
}
