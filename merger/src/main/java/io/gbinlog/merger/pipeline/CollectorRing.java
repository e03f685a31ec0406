package io.gbinlog.merger.pipeline;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import io.gbinlog.collector.capture.CaptureListener;
import io.gbinlog.collector.capture.EventGroup;
import io.gbinlog.collector.ordering.Gtrid;

import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The ring between one collector and the merger thread. The collector's thread is its only producer (a
 * single-producer ring: no CAS on publish); the merger polls it. A full ring holds the collector, which stops
 * reading its data node: back-pressure all the way to the replica connection, nothing unbounded in between.
 */
final class CollectorRing implements CaptureListener {

    /** How long a producer waits between looks at a full ring. */
    private static final long FULL_RING_PARK_NANOS = 50_000;

    private final int stream;
    private final RingBuffer<CaptureEvent> ring;
    private final EventPoller<CaptureEvent> poller;
    private final Wakeup wakeup;
    private volatile boolean closed;

    CollectorRing(int stream, int size, Wakeup wakeup) {
        this.stream = stream;
        // Nobody waits on this ring through a barrier (the merger polls and sleeps on the Wakeup), so a publish needs
        // no signalling: busy-spin's signal is a no-op, where the default blocking strategy locks on every publish.
        this.ring = RingBuffer.createSingleProducer(CaptureEvent::new, size, new BusySpinWaitStrategy());
        this.poller = ring.newPoller();
        ring.addGatingSequences(poller.getSequence());
        this.wakeup = wakeup;
    }

    EventPoller<CaptureEvent> poller() {
        return poller;
    }

    /** True when every published event has been taken by the merger. */
    boolean drained() {
        return poller.getSequence().get() == ring.getCursor();
    }

    /** Events published and not yet taken. */
    long backlog() {
        return ring.getCursor() - poller.getSequence().get();
    }

    /** Makes a producer waiting on a full ring give up: the pipeline is stopping, or the merger died. */
    void close() {
        closed = true;
    }

    @Override
    public void prepared(int stream, long position, Gtrid gtrid, EventGroup payload) {
        publish(CaptureEvent.Kind.PREPARED, position, gtrid, 0, null, payload);
    }

    @Override
    public void committed(int stream, long position, Gtrid gtrid) {
        publish(CaptureEvent.Kind.COMMITTED, position, gtrid, 0, null, null);
    }

    @Override
    public void rolledBack(int stream, long position, Gtrid gtrid) {
        publish(CaptureEvent.Kind.ROLLED_BACK, position, gtrid, 0, null, null);
    }

    @Override
    public void localCommit(int stream, long position, EventGroup payload) {
        publish(CaptureEvent.Kind.LOCAL, position, null, 0, null, payload);
    }

    @Override
    public void commitLogRow(int stream, long position, Gtrid gtrid, long cts, List<String> participants) {
        publish(CaptureEvent.Kind.COMMIT_LOG_ROW, position, gtrid, cts, participants, null);
    }

    @Override
    public void probeReached(int stream, long tso) {
        publish(CaptureEvent.Kind.PROBE, 0, null, tso, null, null);
    }

    private void publish(CaptureEvent.Kind kind, long position, Gtrid gtrid, long value, List<String> participants,
                         EventGroup payload) {
        long sequence = claim();
        CaptureEvent e = ring.get(sequence);
        e.kind = kind;
        e.position = position;
        e.gtrid = gtrid;
        e.value = value;
        e.participants = participants;
        e.captured = payload == null ? null : new Captured(payload, position, System.currentTimeMillis());
        ring.publish(sequence);
        wakeup.signal();
    }

    private long claim() {
        while (true) {
            try {
                return ring.tryNext();
            } catch (InsufficientCapacityException full) {
                if (closed) {
                    throw new IllegalStateException("stream " + stream + ": the pipeline is stopping");
                }
                wakeup.signal();
                LockSupport.parkNanos(this, FULL_RING_PARK_NANOS);
            }
        }
    }
}
