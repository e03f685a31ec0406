package io.gbinlog.collector.capture;

import java.util.function.LongConsumer;

/**
 * Probes (design §3, F3) of one data node waiting for its stream to be read up to their position. A prober
 * adds them from its own thread; the capture thread releases each, in order, once it has delivered every
 * event group before that position. Bounded: while the stream lags far behind, the newest probe replaces the
 * last waiting one (the later value at the later position says more; delivering late is only slower).
 */
public final class ProbeQueue {

    private static final int CAPACITY = 256;

    private final long[] tsos = new long[CAPACITY];
    private final long[] positions = new long[CAPACITY];
    private int head;
    private int count;
    private long lastTso;
    private long lastPosition = Long.MIN_VALUE;
    /** Position of the oldest waiting probe, read without the lock on every event. */
    private volatile long nextPosition = Long.MAX_VALUE;

    /** A probe: {@code tso} was read from the TSO before the data node reported its binlog end {@code position}. */
    public synchronized void add(long tso, long position) {
        if (tso <= lastTso || position < lastPosition) {
            throw new IllegalArgumentException("probe (TSO " + tso + " at " + position + ") is not after the previous one"
                    + " (TSO " + lastTso + " at " + lastPosition + "): the TSO or the data node's binlog went backwards");
        }
        lastTso = tso;
        lastPosition = position;
        if (count == CAPACITY) {
            int last = slot(count - 1);
            tsos[last] = tso;
            positions[last] = position;
            return;
        }
        int s = slot(count++);
        tsos[s] = tso;
        positions[s] = position;
        nextPosition = positions[head];
    }

    /** Hands {@code reached} the value of every waiting probe at or before {@code readUpTo}, oldest first. */
    public void release(long readUpTo, LongConsumer reached) {
        if (nextPosition > readUpTo) {
            return;
        }
        while (true) {
            long tso;
            synchronized (this) {
                if (count == 0 || positions[head] > readUpTo) {
                    return;
                }
                tso = tsos[head];
                head = slot(1);
                count--;
                nextPosition = count == 0 ? Long.MAX_VALUE : positions[head];
            }
            reached.accept(tso);
        }
    }

    public synchronized int size() {
        return count;
    }

    private int slot(int index) {
        return (head + index) % CAPACITY;
    }
}
