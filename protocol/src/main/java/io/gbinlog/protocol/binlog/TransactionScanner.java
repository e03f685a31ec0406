package io.gbinlog.protocol.binlog;

/**
 * Follows the events of a global binlog file in order and recognises whole transactions (the shapes
 * {@link TransactionEncoder} writes), recovering each one's GNO, logical-clock sequence number and cts.
 * Recovery uses it to find the last complete transaction; readers use it to map positions to cts and GTIDs.
 * Reads headers and the few small events that frame a transaction, never row images.
 */
public final class TransactionScanner {
    /** What an event meant for the framing. */
    public enum Step {
        /** Outside any transaction: file header, rotate. */
        OUTSIDE,
        /** Inside a transaction that is not complete yet. */
        INSIDE,
        /** This event completed a transaction: {@link #gno()}, {@link #cts()} etc. describe it. */
        COMPLETE
    }

    private enum State { IDLE, AFTER_GTID, AFTER_BEGIN, IN_ROWS }

    private State state = State.IDLE;
    private long gno;
    private long sequenceNumber;
    private long cts;
    private long startPosition;

    /**
     * Accepts the next event of the file.
     *
     * @param buf      holds the whole event (header to checksum) at {@code off}
     * @param size     the event's size
     * @param position the event's position in its file
     * @throws BinlogFormatException when the event cannot come next in a global binlog
     */
    public Step accept(byte[] buf, int off, int size, long position) {
        int type = EventHeader.type(buf, off);
        switch (state) {
            case IDLE:
                if (type == EventType.GTID) {
                    gno = GtidEventEncoder.gno(buf, off);
                    sequenceNumber = GtidEventEncoder.sequenceNumber(buf, off);
                    cts = CtsMarker.ABSENT;
                    startPosition = position;
                    state = State.AFTER_GTID;
                    return Step.INSIDE;
                }
                if (type == EventType.FORMAT_DESCRIPTION || type == EventType.PREVIOUS_GTIDS
                        || type == EventType.ROTATE) {
                    return Step.OUTSIDE;
                }
                throw unexpected(type, position, "a GTID event");
            case AFTER_GTID:
                if (type != EventType.QUERY) {
                    throw unexpected(type, position, "BEGIN or a DDL query");
                }
                if (QueryEventEncoder.isBegin(buf, off, size)) {
                    state = State.AFTER_BEGIN;
                    return Step.INSIDE;
                }
                int text = QueryEventEncoder.statementOffset(buf, off);
                cts = requireMarker(buf, text, off + size - EventHeader.CHECKSUM_LENGTH - text, position);
                state = State.IDLE;
                return Step.COMPLETE;
            case AFTER_BEGIN:
                if (type != EventType.ROWS_QUERY) {
                    throw unexpected(type, position, "the cts marker");
                }
                int markerAt = RowsQueryEventEncoder.textOffset(off);
                cts = requireMarker(buf, markerAt, off + size - EventHeader.CHECKSUM_LENGTH - markerAt, position);
                state = State.IN_ROWS;
                return Step.INSIDE;
            case IN_ROWS:
                if (type == EventType.XID) {
                    state = State.IDLE;
                    return Step.COMPLETE;
                }
                if (type == EventType.ROWS_QUERY || type == EventType.TABLE_MAP || RowsEventEncoder.isRowsEvent(type)) {
                    return Step.INSIDE;
                }
                throw unexpected(type, position, "a row event or XID");
            default:
                throw new IllegalStateException(state.name());
        }
    }

    public boolean insideTransaction() {
        return state != State.IDLE;
    }

    /** GNO of the current (or just completed) transaction. */
    public long gno() {
        return gno;
    }

    public long sequenceNumber() {
        return sequenceNumber;
    }

    /** cts of the current transaction once its marker was read, else {@link CtsMarker#ABSENT}. */
    public long cts() {
        return cts;
    }

    /** Position of the current transaction's GTID event. */
    public long startPosition() {
        return startPosition;
    }

    private static long requireMarker(byte[] buf, int off, int len, long position) {
        long value = len < 0 ? CtsMarker.ABSENT : CtsMarker.parse(buf, off, len);
        if (value == CtsMarker.ABSENT) {
            throw new BinlogFormatException("event at position " + position + " has no gbinlog cts marker");
        }
        return value;
    }

    private static BinlogFormatException unexpected(int type, long position, String expected) {
        return new BinlogFormatException("event of type " + type + " at position " + position
                + " where " + expected + " must come");
    }
}
