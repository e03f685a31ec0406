package io.gbinlog.protocol.binlog;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Encodes whole global transactions, in the shape every reader of a MySQL 8.0 binlog expects:
 * <pre>
 *   row transaction: GTID, BEGIN, ROWS_QUERY(cts marker), { ROWS_QUERY | TABLE_MAP | ROWS }*, XID
 *   DDL:             GTID, QUERY(cts marker + statement)
 * </pre>
 * Event timestamps come from the cts, a TSO {@code (unix_millis << 22) | counter}: header seconds and the
 * GTID commit timestamp in microseconds. The GTID's transaction length is patched in once the transaction
 * is complete. Not thread-safe; one per writer.
 *
 * <p>A row transaction larger than the drain threshold is not held whole: once the buffer holds that much, its
 * events go to the {@link Drain} and the buffer starts again at the next file position. The GTID event is then
 * kept aside, and handed to the drain again, patched, just before the XID is encoded: written to the file before
 * the transaction's last bytes, it never claims a length for a transaction that is not complete.
 */
public final class TransactionEncoder {

    /** Takes the complete events of a transaction too large to hold whole, as they are encoded. */
    public interface Drain {
        /** Writes {@code [0, out.length())} of {@code out.array()} at file position {@code out.basePosition()}. */
        void write(EventBuffer out);
    }

    private final EventBuffer out;
    private final long serverId;
    private final UUID sid;
    private final Drain drain;
    private final int drainThreshold;
    private long timestamp;
    private long gno;
    private int gtidStart = -1;
    /** The GTID event once drained (the buffer no longer holds it); null otherwise. */
    private EventBuffer drainedGtid;

    /** An encoder that holds every transaction whole in {@code out}. */
    public TransactionEncoder(EventBuffer out, long serverId, UUID sid) {
        this(out, serverId, sid, null, Integer.MAX_VALUE);
    }

    /** @param drain takes the events once {@code out} holds {@code drainThreshold} bytes of a row transaction */
    public TransactionEncoder(EventBuffer out, long serverId, UUID sid, Drain drain, int drainThreshold) {
        this.out = out;
        this.serverId = serverId;
        this.sid = sid;
        this.drain = drain;
        this.drainThreshold = drainThreshold;
    }

    public EventBuffer buffer() {
        return out;
    }

    /** Starts a row transaction: GTID, BEGIN and the cts marker. */
    public void beginRows(long cts, long gno, long lastCommitted, long sequenceNumber) {
        beginRows(cts, null, gno, lastCommitted, sequenceNumber);
    }

    /** Starts a row transaction whose cts marker also names its origin (null: none); see {@link CtsMarker}. */
    public void beginRows(long cts, String origin, long gno, long lastCommitted, long sequenceNumber) {
        checkOrigin(origin);
        begin(cts, gno, lastCommitted, sequenceNumber, false);
        QueryEventEncoder.writeBegin(out, timestamp, serverId);
        int start = RowsQueryEventEncoder.begin(out, timestamp, serverId, CtsMarker.length(cts, origin));
        CtsMarker.write(out, cts, origin);
        out.endEvent(start);
    }

    /** Statement text for the row events that follow, e.g. the body of a MariaDB ANNOTATE_ROWS event. */
    public void rowsQuery(byte[] text, int off, int len) {
        requireOpen();
        RowsQueryEventEncoder.write(out, timestamp, serverId, text, off, len);
        drainIfFull();
    }

    /** A data node's raw table map body under a global table id and (when non-null) logical names, without optional metadata. */
    public void tableMap(byte[] rawBody, int off, int len, long tableId, byte[] db, byte[] table) {
        tableMap(rawBody, off, len, tableId, db, table, null);
    }

    /**
     * A data node's raw table map body under a global table id and (when non-null) logical names, with the optional
     * metadata of {@code metadata} (none when null) in place of any the data node wrote.
     */
    public void tableMap(byte[] rawBody, int off, int len, long tableId, byte[] db, byte[] table,
                         TableMetadataEncoder metadata) {
        requireOpen();
        TableMapEventEncoder.write(out, timestamp, serverId, rawBody, off, len, tableId, db, table, metadata);
        drainIfFull();
    }

    /** A data node's raw rows event body (v1 or v2) under a global table id. */
    public void rows(int rawType, byte[] rawBody, int off, int len, long tableId) {
        requireOpen();
        RowsEventEncoder.write(out, timestamp, serverId, rawType, rawBody, off, len, tableId);
        drainIfFull();
    }

    /** Ends the row transaction with an XID (the GNO: unique and increasing, as MySQL's xids are). */
    public void commit() {
        requireOpen();
        XidEventEncoder.write(out, timestamp, serverId, gno);
        if (drainedGtid == null) {
            finish();
            return;
        }
        GtidEventEncoder.patchTransactionLength(drainedGtid, 0, out.position() - drainedGtid.basePosition());
        drain.write(drainedGtid); // the caller writes the XID after it
        drainedGtid = null;
        gtidStart = -1;
    }

    /** True when events of the transaction being encoded already went to the drain. */
    public boolean drained() {
        return drainedGtid != null;
    }

    private void drainIfFull() {
        if (out.length() < drainThreshold) {
            return;
        }
        if (drainedGtid == null) {
            int size = (int) EventHeader.eventSize(out.array(), gtidStart);
            drainedGtid = new EventBuffer(size);
            drainedGtid.reset(out.basePosition() + gtidStart);
            drainedGtid.writeBytes(out.array(), gtidStart, size);
        }
        drain.write(out);
        out.reset(out.position());
    }

    /** A whole DDL transaction: GTID and one query event whose text starts with the cts marker. */
    public void ddl(long cts, long gno, long lastCommitted, long sequenceNumber, String db, String sql) {
        ddl(cts, null, gno, lastCommitted, sequenceNumber, db, sql);
    }

    /** A whole DDL transaction whose cts marker also names its origin (null: none). */
    public void ddl(long cts, String origin, long gno, long lastCommitted, long sequenceNumber, String db, String sql) {
        checkOrigin(origin);
        begin(cts, gno, lastCommitted, sequenceNumber, true);
        int start = QueryEventEncoder.begin(out, timestamp, serverId,
                db == null ? null : db.getBytes(StandardCharsets.UTF_8));
        CtsMarker.write(out, cts, origin);
        out.writeInt8(' ');
        out.writeUtf8(sql);
        out.endEvent(start);
        finish();
    }

    /** Forgets a transaction left half-encoded by a failure; the caller discards the buffer's content. */
    public void abort() {
        gtidStart = -1;
        drainedGtid = null;
    }

    private void begin(long cts, long gno, long lastCommitted, long sequenceNumber, boolean statements) {
        if (gtidStart >= 0) {
            throw new IllegalStateException("transaction " + this.gno + " was begun and not committed");
        }
        if (cts <= 0) {
            throw new IllegalArgumentException("cts must be positive, was " + cts);
        }
        long millis = cts >>> 22;
        this.timestamp = millis / 1000;
        this.gno = gno;
        this.gtidStart = GtidEventEncoder.write(out, timestamp, serverId, statements, sid, gno, lastCommitted,
                sequenceNumber, millis * 1000);
    }

    private static void checkOrigin(String origin) {
        if (origin != null) {
            CtsMarker.checkOrigin(origin);
        }
    }

    private void finish() {
        GtidEventEncoder.patchTransactionLength(out, gtidStart, out.length() - gtidStart);
        gtidStart = -1;
    }

    private void requireOpen() {
        if (gtidStart < 0) {
            throw new IllegalStateException("no row transaction begun");
        }
    }
}
