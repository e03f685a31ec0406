package io.gbinlog.server.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import sun.misc.Signal;

/**
 * Ctrl-C and SIGTERM for long-running commands. The signal only wakes the command's main thread, which
 * then stops everything in order (workload, pipeline, servers, data nodes). A JVM shutdown hook would
 * instead run concurrently with every other hook, stopping the data nodes under a workload still running.
 */
final class Shutdown {
    private static final CountDownLatch REQUESTED = new CountDownLatch(1);

    private Shutdown() {
    }

    /** From now on, Ctrl-C or SIGTERM wakes {@link #await} instead of ending the JVM. */
    static void onSignal() {
        for (String name : new String[] {"INT", "TERM"}) {
            Signal.handle(new Signal(name), signal -> REQUESTED.countDown());
        }
    }

    /** Waits up to {@code seconds} (0 = no limit) for a signal; true when one came. */
    static boolean await(long seconds) throws InterruptedException {
        if (seconds > 0) {
            return REQUESTED.await(seconds, TimeUnit.SECONDS);
        }
        REQUESTED.await();
        return true;
    }

    static boolean requested() {
        return REQUESTED.getCount() == 0;
    }
}
