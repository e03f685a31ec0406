package io.gbinlog.collector.ordering;

/** Where a stream learns the cts of a distributed commit: the {@code __gbinlog.commit_log} rows read on any stream. */
@FunctionalInterface
public interface CommitTimestamps {

    /** Returned while the row of a gtrid has not been read (TSO values are positive). */
    long UNKNOWN = -1;

    /** The cts of the committed transaction, or {@link #UNKNOWN}. */
    long ctsOf(Gtrid gtrid);
}
