package io.gbinlog.integration.coordinator;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A read-write lock between a coordinator's transactions (readers, from begin to their end) and its DDLs (writer).
 * Why: a row written between a data node's physical DDL and the commit of the ddl_log transaction would come out of
 * the global binlog before the logical DDL, yet with the new column count (docs/cluster-protocol.md).
 *
 * <p>A fair semaphore rather than a {@link java.util.concurrent.locks.ReentrantReadWriteLock}: a transaction may end
 * in another thread than the one that began it, and a waiting DDL must hold back transactions that come after it.
 */
final class DdlBarrier {

    private static final int ALL = Integer.MAX_VALUE;

    private final Semaphore permits = new Semaphore(ALL, true);

    void enterTransaction() {
        permits.acquireUninterruptibly();
    }

    void leaveTransaction() {
        permits.release();
    }

    /** @return false when transactions were still in flight after {@code timeout} */
    boolean enterDdl(Duration timeout) throws InterruptedException {
        return permits.tryAcquire(ALL, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    void leaveDdl() {
        permits.release(ALL);
    }
}
