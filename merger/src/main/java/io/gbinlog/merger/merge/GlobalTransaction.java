package io.gbinlog.merger.merge;

import io.gbinlog.collector.ordering.Gtrid;
import io.gbinlog.collector.ordering.SortKey;

/**
 * One transaction of the global binlog, in key order: a local transaction of one stream, or every
 * branch of a distributed transaction joined, its parts ordered by stream.
 */
public final class GlobalTransaction<P> {

    private final SortKey key;
    private final int[] streams;
    private final Object[] payloads;

    GlobalTransaction(SortKey key, int[] streams, Object[] payloads) {
        this.key = key;
        this.streams = streams;
        this.payloads = payloads;
    }

    public SortKey key() {
        return key;
    }

    public boolean isDistributed() {
        return !key.isLocal();
    }

    /** The cts of a distributed transaction; for a local one the floor it was placed at. */
    public long timestamp() {
        return key.timestamp();
    }

    /** Null for a local transaction. */
    public Gtrid gtrid() {
        return key.gtrid();
    }

    /** Number of parts: 1 for a local transaction, the number of branches for a distributed one. */
    public int size() {
        return streams.length;
    }

    /** The stream of part {@code i}; parts are in increasing stream order. */
    public int stream(int i) {
        return streams[i];
    }

    @SuppressWarnings("unchecked")
    public P payload(int i) {
        return (P) payloads[i];
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder().append(key).append(" from stream");
        for (int stream : streams) {
            s.append(' ').append(stream);
        }
        return s.toString();
    }
}
