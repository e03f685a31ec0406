package io.gbinlog.merger.writer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The index of one binlog file, Kafka style: fixed-width entries, appended in file order, each naming a
 * transaction start: cts (8 bytes), GNO relative to the file's first GNO (4) and position (4). Both cts and
 * GNO never decrease along a file, so either can be binary-searched. Sparse: the first transaction of a file
 * always has an entry, later ones when enough bytes passed since the previous entry.
 */
final class SegmentIndex implements AutoCloseable {
    static final int ENTRY_SIZE = 16;
    private static final int CHECK_CHUNK_ENTRIES = 4096;

    private final Path path;
    private final FileChannel channel;
    private final long baseGno;
    private final ByteBuffer entry = ByteBuffer.allocate(ENTRY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
    private volatile long entries;
    private long lastPosition = -1;

    private SegmentIndex(Path path, FileChannel channel, long baseGno) throws IOException {
        this.path = path;
        this.channel = channel;
        this.baseGno = baseGno;
        this.entries = channel.size() / ENTRY_SIZE;
        if (entries > 0) {
            lastPosition = position(entries - 1);
        }
    }

    /** Opens (creating if absent) the index of a file whose first transaction has GNO {@code baseGno}. */
    static SegmentIndex open(Path path, long baseGno) throws IOException {
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
        return new SegmentIndex(path, ch, baseGno);
    }

    Path path() {
        return path;
    }

    long entries() {
        return entries;
    }

    /**
     * How many leading entries hang together: the first names the file's first transaction (GNO base, position
     * {@code headerEnd}); each later one has a cts no lower, a GNO and a position higher than the one before,
     * and lies within the file. The active file's entries are written without fsync, so after a crash any of
     * them may read as zeros or stale bytes, and one bad entry would misdirect every binary search across it.
     * A torn last entry is not counted.
     */
    long consistentEntries(long headerEnd, long fileSize) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(CHECK_CHUNK_ENTRIES * ENTRY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        long total = entries;
        long good = 0;
        long cts = 0;
        long gno = -1;
        long position = -1;
        while (good < total) {
            chunk.clear().limit((int) (Math.min(total - good, CHECK_CHUNK_ENTRIES) * ENTRY_SIZE));
            long at = good * ENTRY_SIZE;
            while (chunk.hasRemaining()) {
                if (channel.read(chunk, at + chunk.position()) < 0) {
                    return good; // the file shrank under us: trust nothing beyond
                }
            }
            chunk.flip();
            while (chunk.hasRemaining()) {
                long nextCts = chunk.getLong();
                long nextGno = Integer.toUnsignedLong(chunk.getInt());
                long nextPosition = Integer.toUnsignedLong(chunk.getInt());
                boolean fits = good == 0
                        ? nextCts > 0 && nextGno == 0 && nextPosition == headerEnd
                        : nextCts >= cts && nextGno > gno && nextPosition > position;
                if (!fits || nextPosition >= fileSize) {
                    return good;
                }
                cts = nextCts;
                gno = nextGno;
                position = nextPosition;
                good++;
            }
        }
        return good;
    }

    /** Whether a transaction starting at {@code position} deserves an entry under {@code intervalBytes}. */
    boolean wants(long position, int intervalBytes) {
        return entries == 0 || (position > lastPosition && position - lastPosition >= intervalBytes);
    }

    void append(long cts, long gno, long position) throws IOException {
        entry.clear();
        entry.putLong(cts).putInt((int) (gno - baseGno)).putInt((int) position).flip();
        long at = entries * ENTRY_SIZE;
        while (entry.hasRemaining()) {
            at += channel.write(entry, at);
        }
        entries++;
        lastPosition = position;
    }

    /** Keeps the first {@code n} entries. */
    void truncate(long n) throws IOException {
        channel.truncate(n * ENTRY_SIZE);
        entries = n;
        lastPosition = n > 0 ? position(n - 1) : -1;
    }

    long cts(long i) throws IOException {
        return read(i).getLong(0);
    }

    long gno(long i) throws IOException {
        return baseGno + Integer.toUnsignedLong(read(i).getInt(8));
    }

    long position(long i) throws IOException {
        return Integer.toUnsignedLong(read(i).getInt(12));
    }

    /** Index of the last entry whose cts is below {@code cts}, or -1. */
    long lastBelowCts(long cts) throws IOException {
        long lo = 0;
        long hi = entries - 1;
        long found = -1;
        while (lo <= hi) {
            long mid = (lo + hi) >>> 1;
            if (cts(mid) < cts) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    /** Index of the last entry whose GNO is at most {@code gno}, or -1. */
    long lastAtOrBelowGno(long gno) throws IOException {
        long lo = 0;
        long hi = entries - 1;
        long found = -1;
        while (lo <= hi) {
            long mid = (lo + hi) >>> 1;
            if (gno(mid) <= gno) {
                found = mid;
                lo = mid + 1;
            } else {
                hi = mid - 1;
            }
        }
        return found;
    }

    void force() throws IOException {
        channel.force(false);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private ByteBuffer read(long i) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(ENTRY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        long at = i * ENTRY_SIZE;
        while (b.hasRemaining()) {
            int n = channel.read(b, at + b.position());
            if (n < 0) {
                throw new IOException("index " + path + " ends inside entry " + i);
            }
        }
        return b;
    }
}
