package io.gbinlog.collector.ordering;

/**
 * The commit decisions of distributed transactions, as one stream consults them: the
 * {@code __gbinlog.commit_log} rows read on any stream, and what the stream tells back so that a
 * decision and a resolution that contradict each other are caught whichever is read first.
 */
public interface CommitDecisions {

    /** Returned while no row of a gtrid has been read (TSO values are positive). */
    long UNKNOWN = -1;

    /** The cts of a committed transaction, 0 for a decided abort, or {@link #UNKNOWN}. */
    long ctsOf(Gtrid gtrid);

    /** A prepared branch of {@code gtrid} was rolled back on {@code stream}: no row may say it committed. */
    void rolledBack(int stream, long position, Gtrid gtrid);

    /**
     * A branch of {@code gtrid} committed on {@code stream} before the first start's cut position, its cts
     * not known (its PREPARE or its commit_log row precedes the start positions): it is left out as below the
     * cut, so no row read later may say otherwise.
     */
    void committedBelowCut(int stream, long position, Gtrid gtrid);
}
