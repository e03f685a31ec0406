package io.gbinlog.dumper.stream;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** What the dumper's streams are doing, for operators and for tests that check memory stays bounded. */
public final class DumpMetrics {

    private final AtomicInteger streaming = new AtomicInteger();
    private final LongAdder eventBytes = new LongAdder();
    private final AtomicLong maxQueuedBytes = new AtomicLong();

    /** Replicas currently receiving a binlog stream. */
    public int streamingReplicas() {
        return streaming.get();
    }

    /** Binlog event bytes handed to replicas' connections since start. */
    public long eventBytesSent() {
        return eventBytes.sum();
    }

    /**
     * The most bytes ever queued for one replica's connection and not yet taken by its socket. A replica that
     * stops reading makes its own queue stop growing at about one batch past the connection's high-water mark.
     */
    public long maxQueuedBytesPerReplica() {
        return maxQueuedBytes.get();
    }

    void started() {
        streaming.incrementAndGet();
    }

    void ended() {
        streaming.decrementAndGet();
    }

    void sent(long bytes, long queuedNow) {
        eventBytes.add(bytes);
        maxQueuedBytes.accumulateAndGet(queuedNow, Math::max);
    }
}
