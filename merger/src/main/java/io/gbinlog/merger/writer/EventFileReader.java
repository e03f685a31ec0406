package io.gbinlog.merger.writer;

import io.gbinlog.protocol.binlog.EventHeader;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.zip.CRC32;

/**
 * Reads whole events from a binlog file sequentially, through a read-ahead buffer, up to a limit. Checks each
 * event's size and CRC32, so a torn or corrupt tail is told apart from a clean end.
 */
final class EventFileReader {
    enum Result { EVENT, END, TORN, CORRUPT }

    private static final int CHUNK = 64 * 1024;

    private final FileChannel channel;
    private final CRC32 crc = new CRC32();
    private byte[] buf = new byte[CHUNK];
    private long bufStart;   // file position of buf[0]
    private int bufLength;
    private long next;       // file position of the next event
    private int eventOffset;
    private int eventSize;
    private long eventPosition;

    EventFileReader(FileChannel channel, long position) {
        this.channel = channel;
        seek(position);
    }

    void seek(long position) {
        next = position;
        bufStart = position;
        bufLength = 0;
    }

    /** Reads the event at the current position if it lies wholly before {@code limit}. */
    Result next(long limit) throws IOException {
        if (next >= limit) {
            return next == limit ? Result.END : Result.TORN;
        }
        if (limit - next < EventHeader.LENGTH) {
            return Result.TORN;
        }
        if (!fill(EventHeader.LENGTH)) {
            return Result.TORN;
        }
        int at = (int) (next - bufStart);
        long size = EventHeader.eventSize(buf, at);
        if (size < EventHeader.LENGTH + EventHeader.CHECKSUM_LENGTH || size > Integer.MAX_VALUE - 64) {
            return Result.CORRUPT;
        }
        if (next + size > limit) {
            return Result.TORN;
        }
        if (!fill((int) size)) {
            return Result.TORN;
        }
        at = (int) (next - bufStart);
        if (!EventHeader.checksumMatches(buf, at, (int) size, crc)) {
            return Result.CORRUPT;
        }
        eventOffset = at;
        eventSize = (int) size;
        eventPosition = next;
        next += size;
        return Result.EVENT;
    }

    byte[] buffer() {
        return buf;
    }

    int eventOffset() {
        return eventOffset;
    }

    int eventSize() {
        return eventSize;
    }

    long eventPosition() {
        return eventPosition;
    }

    /** Position just after the last event read: where the next one starts. */
    long nextPosition() {
        return next;
    }

    /** Makes {@code n} bytes from {@link #next} available in the buffer; false at end of file. */
    private boolean fill(int n) throws IOException {
        int at = (int) (next - bufStart);
        if (at + n <= bufLength) {
            return true;
        }
        int kept = bufLength - at;
        if (n > buf.length) {
            byte[] bigger = new byte[Math.max(n, buf.length * 2)];
            System.arraycopy(buf, at, bigger, 0, kept);
            buf = bigger;
        } else {
            System.arraycopy(buf, at, buf, 0, kept);
        }
        bufStart = next;
        bufLength = kept;
        while (bufLength < n) {
            int read = channel.read(ByteBuffer.wrap(buf, bufLength, buf.length - bufLength), bufStart + bufLength);
            if (read <= 0) {
                return false;
            }
            bufLength += read;
        }
        return true;
    }
}
