package io.gbinlog.protocol.binlog;

import java.util.UUID;

/**
 * GTID_LOG_EVENT in the MySQL 8.0 layout: flags, SID, GNO, logical clock (typecode 2, last_committed,
 * sequence_number), immediate commit timestamp (original = immediate, so it is written once), transaction
 * length and server version.
 *
 * <p>The transaction length covers the whole transaction including this event, so it is known only once
 * the transaction is encoded. It is written in the 9-byte form of a length-encoded integer (legal for
 * every reader) so that patching it later never moves the events behind it.
 */
public final class GtidEventEncoder {
    /** Bit 0 of the flags: the transaction may contain statements (a DDL); row-only transactions clear it. */
    private static final int FLAG_MAY_HAVE_STATEMENTS = 1;
    private static final int LOGICAL_CLOCK_TYPECODE = 2;
    private static final int TRANSACTION_LENGTH_OFFSET =
            EventHeader.LENGTH + 1 + 16 + 8 + 1 + 8 + 8 + 7 + 1; // header, post-header, timestamp, 0xfe marker

    private GtidEventEncoder() {
    }

    /**
     * Writes the event with transaction length 0 and returns its offset in {@code out}, for
     * {@link #patchTransactionLength}.
     */
    public static int write(EventBuffer out, long timestampSeconds, long serverId, boolean mayHaveStatements,
                            UUID sid, long gno, long lastCommitted, long sequenceNumber, long commitMicros) {
        if (gno < 1) {
            throw new IllegalArgumentException("GTID sequence number must be >= 1, was " + gno);
        }
        if (lastCommitted < 0 || lastCommitted >= sequenceNumber) {
            throw new IllegalArgumentException("logical clock needs 0 <= last_committed < sequence_number, was "
                    + lastCommitted + " / " + sequenceNumber);
        }
        int start = out.beginEvent(EventType.GTID, timestampSeconds, serverId, 0);
        out.writeInt8(mayHaveStatements ? FLAG_MAY_HAVE_STATEMENTS : 0);
        out.writeUuid(sid);
        out.writeInt64(gno);
        out.writeInt8(LOGICAL_CLOCK_TYPECODE);
        out.writeInt64(lastCommitted);
        out.writeInt64(sequenceNumber);
        out.writeInt56(commitMicros & 0x7F_FFFF_FFFF_FFFFL); // top bit clear: original == immediate
        out.writeInt8(0xfe);
        out.writeInt64(0);
        out.writeInt32(FormatDescriptionEventEncoder.SERVER_VERSION_ID); // top bit clear: original == immediate
        out.endEvent(start);
        return start;
    }

    /** Sets the transaction length of the GTID event at {@code start} and re-checksums it. */
    public static void patchTransactionLength(EventBuffer out, int start, long transactionLength) {
        out.putInt64(start + TRANSACTION_LENGTH_OFFSET, transactionLength);
        out.rechecksum(start);
    }

    /** The GNO of a GTID event at {@code eventOffset}. */
    public static long gno(byte[] buf, int eventOffset) {
        return EventHeader.int64(buf, eventOffset + EventHeader.LENGTH + 1 + 16);
    }

    /** The logical-clock sequence_number of a GTID event at {@code eventOffset}. */
    public static long sequenceNumber(byte[] buf, int eventOffset) {
        return EventHeader.int64(buf, eventOffset + EventHeader.LENGTH + 1 + 16 + 8 + 1 + 8);
    }
}
