package io.gbinlog.collector.ordering;

/**
 * The position of a transaction in the global binlog.
 * <ul>
 *   <li>a distributed transaction: {@code (cts, 0, gtrid)} — every branch has the same key;</li>
 *   <li>a local transaction committed on stream k at position q: {@code (floor_k at q, 1, k, q)} —
 *       placed after everything its data node committed before it. The binlog position is the sequence
 *       because it orders a stream's locals. {@code floor_k} depends on the probes the stream happened to
 *       see, so a local read again after a restart can get a lower key than the first time: restart
 *       recognises locals already taken by position, never by key.</li>
 * </ul>
 */
public final class SortKey implements Comparable<SortKey> {

    private final long timestamp;
    private final Gtrid gtrid;
    private final int stream;
    private final long position;

    private SortKey(long timestamp, Gtrid gtrid, int stream, long position) {
        this.timestamp = timestamp;
        this.gtrid = gtrid;
        this.stream = stream;
        this.position = position;
    }

    public static SortKey distributed(long cts, Gtrid gtrid) {
        return new SortKey(cts, gtrid, -1, -1);
    }

    public static SortKey local(long floor, int stream, long position) {
        return new SortKey(floor, null, stream, position);
    }

    /** The cts of a distributed transaction, the floor of a local one. */
    public long timestamp() {
        return timestamp;
    }

    public boolean isLocal() {
        return gtrid == null;
    }

    /** The gtrid of a distributed transaction; null for a local one. */
    public Gtrid gtrid() {
        return gtrid;
    }

    /** The stream of a local transaction; -1 for a distributed one. */
    public int stream() {
        return stream;
    }

    /** The binlog position of a local transaction's commit; -1 for a distributed one. */
    public long position() {
        return position;
    }

    /** Whether this key is {@code ≤ (watermark, 0, …)}: a watermark covers distributed commits at its value, not locals. */
    public boolean coveredBy(long watermark) {
        return timestamp < watermark || (timestamp == watermark && gtrid != null);
    }

    @Override
    public int compareTo(SortKey o) {
        int c = Long.compare(timestamp, o.timestamp);
        if (c != 0) {
            return c;
        }
        if (gtrid != null) {
            return o.gtrid != null ? gtrid.compareTo(o.gtrid) : -1;
        }
        if (o.gtrid != null) {
            return 1;
        }
        c = Integer.compare(stream, o.stream);
        return c != 0 ? c : Long.compare(position, o.position);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SortKey k && compareTo(k) == 0;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(timestamp) * 31 + (gtrid != null ? gtrid.hashCode() : stream * 17 + Long.hashCode(position));
    }

    @Override
    public String toString() {
        return gtrid != null
                ? "(" + timestamp + ",0," + gtrid + ")"
                : "(" + timestamp + ",1," + stream + "," + position + ")";
    }
}
