package io.gbinlog.protocol.binlog;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import java.util.zip.CRC32;

/**
 * A reusable little-endian buffer that binlog events are encoded into, back to back, as they will lie in a
 * file starting at {@link #basePosition()}. Knowing that position lets each event carry its own end
 * position (log_pos) without a second pass. Not thread-safe: one per writer.
 */
public final class EventBuffer {
    /** log_pos is four bytes in the v4 header: no event may end beyond this position in a file. */
    public static final long MAX_FILE_POSITION = 0xFFFF_FFFFL;

    private final CRC32 crc = new CRC32();
    private byte[] buf;
    private int length;
    private long basePosition;

    public EventBuffer(int initialCapacity) {
        buf = new byte[Math.max(64, initialCapacity)];
    }

    /** Empties the buffer; the next event will lie at {@code basePosition} in its file. */
    public void reset(long basePosition) {
        this.length = 0;
        this.basePosition = basePosition;
    }

    public long basePosition() {
        return basePosition;
    }

    /** File position just after the last byte written. */
    public long position() {
        return basePosition + length;
    }

    /** The backing array: valid bytes are {@code [0, length())}. Changes when the buffer grows. */
    public byte[] array() {
        return buf;
    }

    public int length() {
        return length;
    }

    public int capacity() {
        return buf.length;
    }

    /** Writes the common header with size and log_pos left to {@link #endEvent}; returns the event's offset. */
    public int beginEvent(int type, long timestampSeconds, long serverId, int flags) {
        int start = length;
        writeInt32(timestampSeconds);
        writeInt8(type);
        writeInt32(serverId);
        writeInt32(0);
        writeInt32(0);
        writeInt16(flags);
        return start;
    }

    /** Completes the event begun at {@code start}: size, log_pos = its end position in the file, CRC32 footer. */
    public void endEvent(int start) {
        endEvent(start, position() + EventHeader.CHECKSUM_LENGTH);
    }

    /** As {@link #endEvent(int)} with an explicit log_pos (0 for artificial events of a replication stream). */
    public void endEvent(int start, long logPos) {
        long size = (long) length - start + EventHeader.CHECKSUM_LENGTH;
        if (logPos > MAX_FILE_POSITION) {
            throw new IllegalStateException("binlog position " + logPos
                    + " is beyond the 4 GiB a v4 event header can address; rotate to a new file earlier");
        }
        putInt32(start + EventHeader.EVENT_SIZE_OFFSET, size);
        putInt32(start + EventHeader.LOG_POS_OFFSET, logPos);
        crc.reset();
        crc.update(buf, start, length - start);
        writeInt32(crc.getValue());
    }

    /** Recomputes the CRC32 footer of a completed event after one of its fields was patched in place. */
    public void rechecksum(int start) {
        int size = (int) EventHeader.eventSize(buf, start);
        crc.reset();
        crc.update(buf, start, size - EventHeader.CHECKSUM_LENGTH);
        putInt32(start + size - EventHeader.CHECKSUM_LENGTH, crc.getValue());
    }

    public void writeInt8(int v) {
        ensure(1);
        buf[length++] = (byte) v;
    }

    public void writeInt16(int v) {
        ensure(2);
        buf[length++] = (byte) v;
        buf[length++] = (byte) (v >>> 8);
    }

    public void writeInt32(long v) {
        ensure(4);
        putInt32(length, v);
        length += 4;
    }

    public void writeInt48(long v) {
        ensure(6);
        putInt32(length, v);
        buf[length + 4] = (byte) (v >>> 32);
        buf[length + 5] = (byte) (v >>> 40);
        length += 6;
    }

    public void writeInt56(long v) {
        writeInt48(v);
        writeInt8((int) (v >>> 48));
    }

    public void writeInt64(long v) {
        ensure(8);
        putInt64(length, v);
        length += 8;
    }

    /** MySQL's length-encoded integer (1, 3, 4 or 9 bytes). */
    public void writePackedLong(long v) {
        if (v >= 0 && v < 251) {
            writeInt8((int) v);
        } else if (v >= 0 && v < 0x1_0000) {
            writeInt8(0xfc);
            writeInt16((int) v);
        } else if (v >= 0 && v < 0x100_0000) {
            writeInt8(0xfd);
            writeInt16((int) v);
            writeInt8((int) (v >>> 16));
        } else {
            writeInt8(0xfe);
            writeInt64(v);
        }
    }

    /** A UUID in the 16 big-endian bytes MySQL stores a server/source id as. */
    public void writeUuid(UUID uuid) {
        writeInt64BigEndian(uuid.getMostSignificantBits());
        writeInt64BigEndian(uuid.getLeastSignificantBits());
    }

    private void writeInt64BigEndian(long v) {
        ensure(8);
        for (int i = 7; i >= 0; i--) {
            buf[length++] = (byte) (v >>> (i * 8));
        }
    }

    public void writeBytes(byte[] src, int off, int len) {
        ensure(len);
        System.arraycopy(src, off, buf, length, len);
        length += len;
    }

    public void writeBytes(byte[] src) {
        writeBytes(src, 0, src.length);
    }

    /** ASCII text without allocating (callers pass constants and digits). */
    public void writeAscii(String s) {
        ensure(s.length());
        for (int i = 0; i < s.length(); i++) {
            buf[length++] = (byte) s.charAt(i);
        }
    }

    public void writeUtf8(String s) {
        writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    /** Decimal digits of a non-negative value, without allocating. */
    public void writeDecimal(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("negative value " + v);
        }
        int digits = 1;
        for (long x = v / 10; x != 0; x /= 10) {
            digits++;
        }
        ensure(digits);
        for (int i = length + digits - 1; i >= length; i--) {
            buf[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        length += digits;
    }

    public void writeZeros(int n) {
        ensure(n);
        Arrays.fill(buf, length, length + n, (byte) 0);
        length += n;
    }

    public void putInt64(int index, long v) {
        putInt32(index, v);
        putInt32(index + 4, v >>> 32);
    }

    public void putInt32(int index, long v) {
        buf[index] = (byte) v;
        buf[index + 1] = (byte) (v >>> 8);
        buf[index + 2] = (byte) (v >>> 16);
        buf[index + 3] = (byte) (v >>> 24);
    }

    private void ensure(int more) {
        if (length + more > buf.length) {
            long wanted = Math.max((long) buf.length * 2, (long) length + more);
            if (wanted > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("a single binlog write of " + ((long) length + more)
                        + " bytes is larger than a buffer can hold");
            }
            buf = Arrays.copyOf(buf, (int) wanted);
        }
    }
}
