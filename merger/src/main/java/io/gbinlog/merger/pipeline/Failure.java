package io.gbinlog.merger.pipeline;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The first thing that stopped the pipeline for good: a collector that cannot go on, a protocol violation in the
 * merger, a failed write. Every thread checks it; the owner of the pipeline waits on it and then closes it.
 */
final class Failure {

    private static final Logger log = LoggerFactory.getLogger(Failure.class);

    private final CountDownLatch failed = new CountDownLatch(1);
    private final Runnable onFailure;
    private volatile Throwable cause;

    /** {@code onFailure} runs once, in the failing thread: it must only release threads that wait, never join them. */
    Failure(Runnable onFailure) {
        this.onFailure = onFailure;
    }

    void fail(Throwable t) {
        synchronized (this) {
            if (cause != null) {
                log.debug("after the pipeline failed: {}", t.toString());
                return;
            }
            cause = t;
        }
        log.error("the pipeline stopped: {}", t.toString(), t);
        failed.countDown();
        onFailure.run();
    }

    boolean failed() {
        return cause != null;
    }

    Throwable cause() {
        return cause;
    }

    boolean await(long timeout, TimeUnit unit) throws InterruptedException {
        return failed.await(timeout, unit);
    }
}
