package io.gbinlog.integration.workload;

import java.time.Duration;

/**
 * Live counters of a bank workload.
 *
 * @param distributedCommitted distributed (XA) transactions committed
 * @param localCommitted       single-node transactions committed
 * @param rolledBack           deliberate rollbacks, before or after prepare
 * @param aborted              transactions that did not commit for another reason (includes conflicts)
 * @param conflicts            of those, lock wait timeouts and deadlocks
 * @param unknown              transactions left to recovery (simulated coordinator crashes, lost nodes)
 * @param elapsed              time since the workload started
 */
public record Progress(long distributedCommitted, long localCommitted, long rolledBack, long aborted,
                       long conflicts, long unknown, Duration elapsed) {

    public long committed() {
        return distributedCommitted + localCommitted;
    }

    /** Every transaction that finished, whatever its outcome. */
    public long finished() {
        return committed() + rolledBack + aborted + unknown;
    }

    /** Finished transactions per second since the start. */
    public double txnPerSecond() {
        return perSecond(finished(), elapsed);
    }

    /** Finished transactions per second between {@code earlier} and this snapshot. */
    public double txnPerSecondSince(Progress earlier) {
        return perSecond(finished() - earlier.finished(), elapsed.minus(earlier.elapsed));
    }

    private static double perSecond(long count, Duration interval) {
        return interval.isZero() || interval.isNegative() ? 0 : count * 1e9 / interval.toNanos();
    }

    @Override
    public String toString() {
        return String.format("committed %d (distributed %d, local %d), rolled back %d, aborted %d (conflicts %d),"
                        + " unknown %d, %.0f txn/s", committed(), distributedCommitted, localCommitted, rolledBack,
                aborted, conflicts, unknown, txnPerSecond());
    }
}
