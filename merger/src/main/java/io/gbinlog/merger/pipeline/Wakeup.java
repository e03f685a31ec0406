package io.gbinlog.merger.pipeline;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.concurrent.locks.LockSupport;

/**
 * Lets the merger thread sleep while every collector ring is empty and be woken by the next publish: no busy
 * polling on machines where the data nodes share the cores.
 */
final class Wakeup {

    private volatile Thread sleeper;

    /** Called by producers after publishing. */
    void signal() {
        Thread t = sleeper;
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    /**
     * Sleeps up to {@code maxNanos} unless {@code stillIdle} finds work after announcing the sleep (so a publish
     * between the last poll and the park is never missed).
     */
    void sleep(long maxNanos, BooleanSupplier stillIdle) {
        sleeper = Thread.currentThread();
        try {
            if (stillIdle.getAsBoolean()) {
                LockSupport.parkNanos(this, Math.min(maxNanos, TimeUnit.MILLISECONDS.toNanos(100)));
            }
        } finally {
            sleeper = null;
        }
    }
}
