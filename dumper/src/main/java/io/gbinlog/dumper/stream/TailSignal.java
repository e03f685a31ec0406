package io.gbinlog.dumper.stream;

import io.gbinlog.merger.writer.BinlogPosition;
import io.gbinlog.merger.writer.GlobalBinlog;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wakes the dumps that caught up with the end of the global binlog as soon as a new transaction is durable.
 * One thread waits on the log for all of them, so an idle replica costs no thread and no polling.
 */
final class TailSignal implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TailSignal.class);

    private final GlobalBinlog binlog;
    private final Set<BinlogDump> waiting = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private volatile boolean closed;

    TailSignal(GlobalBinlog binlog) {
        this.binlog = binlog;
        this.thread = new Thread(this::watch, "gbinlog-dumper-tail");
        thread.setDaemon(true);
        thread.start();
    }

    /** {@code dump} is woken (once) by the next append; it must check for data it may have missed itself. */
    void await(BinlogDump dump) {
        waiting.add(dump);
    }

    void cancel(BinlogDump dump) {
        waiting.remove(dump);
    }

    private void watch() {
        BinlogPosition seen = binlog.endPosition();
        while (!closed) {
            try {
                if (binlog.awaitBeyond(seen, 1, TimeUnit.SECONDS)) {
                    seen = binlog.endPosition();
                    for (BinlogDump dump : waiting) {
                        if (waiting.remove(dump)) {
                            dump.newData();
                        }
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("waiting for new transactions in the global binlog failed; idle replicas wake only on"
                        + " heartbeats until the dumper restarts", e);
                return;
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
