package io.gbinlog.collector.ordering;

/**
 * One stream's part of a transaction: a prepared branch while it waits for its outcome, then, once
 * committed, the item the stream hands to the merge with its sort key. The payload (the row events)
 * is an opaque handle that is never copied.
 */
public final class KeyedTransaction<P> {

    final int stream;
    /** Where the stream must be re-read to get this transaction back: its PREPARE, or a local COMMIT. */
    final long position;
    final Gtrid gtrid;
    final P payload;
    /** Arrival number of the PREPARE on its stream: "prepared before" is decided in stream order. */
    final long ordinal;
    /** Its entry in the stream's ledger of positions to read again until it is taken or rolled back. */
    final long seq;
    SortKey key;
    /** Neighbours in prepare order while the branch is unresolved. */
    KeyedTransaction<P> older;
    KeyedTransaction<P> newer;

    KeyedTransaction(int stream, long position, Gtrid gtrid, P payload, long ordinal, long seq, SortKey key) {
        this.stream = stream;
        this.position = position;
        this.gtrid = gtrid;
        this.payload = payload;
        this.ordinal = ordinal;
        this.seq = seq;
        this.key = key;
    }

    public SortKey key() {
        return key;
    }

    public int stream() {
        return stream;
    }

    public long position() {
        return position;
    }

    public P payload() {
        return payload;
    }

    @Override
    public String toString() {
        return "stream " + stream + " " + (key != null ? key : "prepared '" + gtrid + "'") + " at " + position;
    }
}
