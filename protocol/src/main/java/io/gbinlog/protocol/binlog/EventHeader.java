package io.gbinlog.protocol.binlog;

/**
 * The common 19-byte v4 event header and the CRC32 footer: layout constants and little-endian field readers.
 * Reading headers (never row images) is all the hot path needs to walk a binlog.
 */
public final class EventHeader {
    /** Every binlog file starts with these four bytes; the first event is at position 4. */
    public static final byte[] MAGIC = {(byte) 0xfe, 'b', 'i', 'n'};
    public static final int LENGTH = 19;
    public static final int CHECKSUM_LENGTH = 4;

    static final int TYPE_OFFSET = 4;
    static final int SERVER_ID_OFFSET = 5;
    static final int EVENT_SIZE_OFFSET = 9;
    static final int LOG_POS_OFFSET = 13;
    static final int FLAGS_OFFSET = 17;

    /** Set on events that exist only in a replication stream (fake rotate, heartbeat), never in a file. */
    public static final int FLAG_ARTIFICIAL = 0x20;
    /** Readers that do not know the event type may skip it (MySQL sets it on rows-query events). */
    public static final int FLAG_IGNORABLE = 0x80;

    private EventHeader() {
    }

    public static long timestamp(byte[] buf, int eventOffset) {
        return uint32(buf, eventOffset);
    }

    public static int type(byte[] buf, int eventOffset) {
        return buf[eventOffset + TYPE_OFFSET] & 0xff;
    }

    public static long serverId(byte[] buf, int eventOffset) {
        return uint32(buf, eventOffset + SERVER_ID_OFFSET);
    }

    /** Whole event size: header, body and checksum. */
    public static long eventSize(byte[] buf, int eventOffset) {
        return uint32(buf, eventOffset + EVENT_SIZE_OFFSET);
    }

    /** Position in the file just after this event. */
    public static long logPos(byte[] buf, int eventOffset) {
        return uint32(buf, eventOffset + LOG_POS_OFFSET);
    }

    public static int flags(byte[] buf, int eventOffset) {
        return (buf[eventOffset + FLAGS_OFFSET] & 0xff) | (buf[eventOffset + FLAGS_OFFSET + 1] & 0xff) << 8;
    }

    /** True when the CRC32 footer of the event at {@code eventOffset} (of {@code size} bytes) matches its content. */
    public static boolean checksumMatches(byte[] buf, int eventOffset, int size, java.util.zip.CRC32 crc) {
        if (size < LENGTH + CHECKSUM_LENGTH) {
            return false;
        }
        crc.reset();
        crc.update(buf, eventOffset, size - CHECKSUM_LENGTH);
        return (int) crc.getValue() == (int) uint32(buf, eventOffset + size - CHECKSUM_LENGTH);
    }

    static long uint32(byte[] b, int i) {
        return (b[i] & 0xffL) | (b[i + 1] & 0xffL) << 8 | (b[i + 2] & 0xffL) << 16 | (b[i + 3] & 0xffL) << 24;
    }

    static long uint48(byte[] b, int i) {
        return uint32(b, i) | (b[i + 4] & 0xffL) << 32 | (b[i + 5] & 0xffL) << 40;
    }

    static long int64(byte[] b, int i) {
        return uint32(b, i) | uint32(b, i + 4) << 32;
    }
}
