package io.gbinlog.meta.tso;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.LongSupplier;

/**
 * The cluster's single source of commit timestamps: {@code (unix_millis << 22) | counter}.
 *
 * <p>Values are linearizable: every value returned is greater than every value returned before it, by
 * any caller. Across restarts this holds through a lease: a persisted millisecond high-water mark that
 * every issued value stays below. A restarted allocator starts at the lease, so it never goes backwards,
 * even when the wall clock did.
 */
public final class TsoAllocator implements AutoCloseable {
    public static final int COUNTER_BITS = 22;
    private static final long COUNTER_MASK = (1L << COUNTER_BITS) - 1;
    /** How far ahead of the issued values the lease is pushed; one fsync per this many milliseconds. */
    static final long LEASE_WINDOW_MILLIS = 3_000;

    private final Path leaseFile;
    private final FileLock exclusive;
    private final LongSupplier clockMillis;
    private long physical;   // millis part of the last value issued
    private long counter;    // counter part of the last value issued
    private long leaseMillis; // every issued value has physical < leaseMillis
    private boolean closed;

    private TsoAllocator(Path leaseFile, FileLock exclusive, LongSupplier clockMillis, long leaseMillis) {
        this.leaseFile = leaseFile;
        this.exclusive = exclusive;
        this.clockMillis = clockMillis;
        this.leaseMillis = leaseMillis;
        // Nothing issued before the restart reaches the old lease; starting at it keeps values increasing.
        this.physical = leaseMillis;
        this.counter = -1;
    }

    /** Opens the allocator whose lease lives in {@code leaseFile}, creating it on first use. */
    public static TsoAllocator open(Path leaseFile) {
        return open(leaseFile, System::currentTimeMillis);
    }

    static TsoAllocator open(Path leaseFile, LongSupplier clockMillis) {
        FileLock exclusive = lock(leaseFile);
        try {
            TsoAllocator allocator = new TsoAllocator(leaseFile, exclusive, clockMillis, readLease(leaseFile));
            synchronized (allocator) {
                allocator.extendLease(Math.max(clockMillis.getAsLong(), allocator.physical));
            }
            return allocator;
        } catch (RuntimeException e) {
            release(exclusive);
            throw e;
        }
    }

    /**
     * Two allocators on one lease would hand out the same values: the lock beside the lease makes the second
     * one (another process, or a forgotten one in this JVM) fail at once instead.
     */
    private static FileLock lock(Path leaseFile) {
        Path lockFile = leaseFile.resolveSibling(leaseFile.getFileName() + ".lock");
        FileChannel channel = null;
        try {
            Files.createDirectories(lockFile.toAbsolutePath().getParent());
            channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return lock;
            }
        } catch (OverlappingFileLockException e) {
            // held by this JVM: fall through to the same error
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock TSO lease " + lockFile, e);
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // we are failing anyway; the message below says why
        }
        throw new IllegalStateException("TSO lease " + leaseFile + " is in use by another TSO (lock " + lockFile
                + " is held): only one TSO may serve one storage.dir");
    }

    private static void release(FileLock lock) {
        try {
            lock.channel().close(); // closing the channel releases the lock
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release TSO lease lock", e);
        }
    }

    /** The next timestamp, greater than every one returned before. */
    public synchronized long next() {
        if (closed) {
            throw new IllegalStateException("TSO allocator is closed");
        }
        long now = clockMillis.getAsLong();
        if (now > physical) {
            physical = now;
            counter = 0;
        } else if (++counter > COUNTER_MASK) {
            // More than 4M values in one millisecond, or the clock went back: run ahead of it.
            physical++;
            counter = 0;
        }
        if (physical >= leaseMillis - LEASE_WINDOW_MILLIS / 2) {
            extendLease(physical);
        }
        return (physical << COUNTER_BITS) | counter;
    }

    /** The wall-clock millisecond a timestamp was issued at. */
    public static long millisOf(long tso) {
        return tso >>> COUNTER_BITS;
    }

    private void extendLease(long fromMillis) {
        long lease = fromMillis + LEASE_WINDOW_MILLIS;
        writeLease(leaseFile, lease);
        leaseMillis = lease;
    }

    private static long readLease(Path file) {
        if (!Files.exists(file)) {
            return 0;
        }
        try {
            String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("TSO lease file " + file + " is corrupt (expected one number)."
                    + " Restore it, or move it away only if no timestamps were issued after its time", e);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read TSO lease file " + file, e);
        }
    }

    /** Write-then-rename with fsyncs: a crash leaves either the old lease or the new one, never a torn one. */
    private static void writeLease(Path file, long leaseMillis) {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(ByteBuffer.wrap((leaseMillis + "\n").getBytes(StandardCharsets.US_ASCII)));
                ch.force(true);
            }
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
                d.force(true);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot persist TSO lease to " + file, e);
        }
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            release(exclusive);
        }
    }
}
