package io.gbinlog.merger.writer;

import io.gbinlog.protocol.binlog.BinlogFormatException;
import io.gbinlog.protocol.binlog.EventBuffer;
import io.gbinlog.protocol.binlog.EventHeader;
import io.gbinlog.protocol.binlog.EventType;
import io.gbinlog.protocol.binlog.GtidEventEncoder;
import io.gbinlog.protocol.binlog.RotateEventEncoder;
import io.gbinlog.protocol.binlog.TransactionEncoder;
import io.gbinlog.protocol.binlog.TransactionScanner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The global binlog on disk, in the manner of Kafka's log layer: a directory of MySQL 8.0 binlog files
 * ({@code binlog.000001 ...}), MySQL's {@code binlog.index} listing them, and per file a small fixed-width
 * index ({@code index/binlog.NNNNNN.idx}) from cts and GTID to position.
 *
 * <p>One thread appends whole transactions; the log gives them gapless GNOs and logical-clock fields and
 * rotates to a new file, at a transaction boundary, once a file reaches the configured size (when the next
 * transaction comes). Any number of threads may read ({@link #openReader}, {@link #findGno}, {@link #findCts});
 * they see only transactions that are durable under the fsync policy. Opening the log repairs what a crash left:
 * see {@link RecoveryReport}. A write that fails leaves the log refusing further writes until it is reopened.
 */
public final class GlobalBinlog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(GlobalBinlog.class);
    private static final String INDEX_DIR = "index";
    private static final int INITIAL_BUFFER = 64 * 1024;
    /** A buffer grown by a huge transaction is dropped afterwards, keeping memory bounded between them. */
    private static final int RETAINED_BUFFER = 4 * 1024 * 1024;
    /** A transaction larger than this goes to the file while it is encoded (see TransactionEncoder): bounded memory. */
    private static final int DRAIN_THRESHOLD = RETAINED_BUFFER;
    /**
     * With {@link #publishOnlyOnRequest()} appends stay in the buffer until this many bytes wait or the next flush:
     * one write call per batch instead of one per transaction (nobody sees them before a flush anyway).
     */
    private static final int WRITE_BATCH = 1024 * 1024;

    /** What readers may see: the durable end and the last transaction before it. */
    private record Committed(BinlogPosition end, long lastGno, long lastCts) {
    }

    private final BinlogLogConfig config;
    private final Path dir;
    private final Path indexDir;
    private final List<Segment> segments = new CopyOnWriteArrayList<>();
    private final LogicalClock clock = new LogicalClock();
    private final Object commitMonitor = new Object();
    private EventBuffer buffer = new EventBuffer(INITIAL_BUFFER);
    private TransactionEncoder encoder;
    private FileChannel active;
    private long activeSize;
    private long lastGno;
    private long lastCts;
    /** Why the files no longer match this object, or null: see {@link #mutate}. */
    private Throwable failure;
    private volatile Committed committed;
    private RecoveryReport recoveryReport;
    /** Set by {@link #publishOnlyOnRequest()}: appends and flushes no longer make data visible. */
    private boolean publishOnRequest;
    /** The buffer holds appended transactions not yet written: from its base position to {@link #activeSize}. */
    private boolean unwritten;

    private GlobalBinlog(BinlogLogConfig config) {
        this.config = config;
        this.dir = config.directory();
        this.indexDir = dir.resolve(INDEX_DIR);
        this.encoder = newEncoder();
    }

    private TransactionEncoder newEncoder() {
        return new TransactionEncoder(buffer, config.serverId(), config.clusterUuid(), this::drain, DRAIN_THRESHOLD);
    }

    /** Part of a large transaction, written ahead; readers see none of it before the whole is appended. */
    private void drain(EventBuffer part) {
        try {
            mutate(() -> writeFully(active, part, part.basePosition()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Opens the log in {@code config.directory()}, creating it or recovering what a crash left. */
    public static GlobalBinlog open(BinlogLogConfig config) throws IOException {
        GlobalBinlog log = new GlobalBinlog(config);
        try {
            log.recover();
        } catch (IOException | RuntimeException e) {
            log.closeQuietly();
            throw e;
        }
        return log;
    }

    /**
     * Cuts the global binlog in {@code config.directory()} back to {@code end}, a transaction boundary it holds:
     * every later file and everything after {@code end} in its file are removed, for a writer that will append
     * again what came after {@code end}. Run it on a closed log, before {@link #open}. Safe against a crash at any
     * moment: files are emptied and unlisted newest first, so the files always form a log that opening accepts, and
     * a repeated call finishes the job.
     *
     * @throws IOException when {@code end} is not in a listed file, or lies beyond what the file holds
     */
    public static void truncateTo(BinlogLogConfig config, BinlogPosition end) throws IOException {
        Path dir = config.directory();
        List<String> listed = new ArrayList<>(BinlogIndexFile.read(dir));
        int keep = listed.indexOf(end.file());
        if (keep < 0) {
            throw new IOException("cannot cut the global binlog back to " + end + ": " + end.file() + " is not listed in "
                    + dir.resolve(BinlogIndexFile.NAME) + " " + listed);
        }
        Path indexDir = dir.resolve(INDEX_DIR);
        while (listed.size() > keep + 1) {
            String newest = listed.remove(listed.size() - 1);
            Path path = dir.resolve(newest);
            if (Files.exists(path)) {
                // Emptied to its header first: listed or not, a file holding only a header is one opening accepts.
                try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    Segment.Header header = Segment.readHeader(ch, config.clusterUuid(), newest);
                    if (header != null && ch.size() > header.end()) {
                        ch.truncate(header.end());
                        ch.force(true);
                    }
                }
            }
            BinlogIndexFile.write(dir, listed);
            Files.deleteIfExists(path);
            Files.deleteIfExists(indexDir.resolve(newest + ".idx"));
            BinlogIndexFile.syncDirectory(dir);
        }
        try (FileChannel ch = FileChannel.open(dir.resolve(end.file()), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            if (end.position() > ch.size()) {
                throw new IOException("cannot cut the global binlog back to " + end + ": " + end.file() + " holds only "
                        + ch.size() + " bytes");
            }
            if (end.position() < ch.size()) {
                ch.truncate(end.position());
                ch.force(true);
            }
        }
        // Index entries beyond the new end are dropped by opening (they point past the file).
    }

    /**
     * From now on appended data becomes visible to readers only through {@link #publish(AppendedTransaction)}: for
     * a writer whose output is final only once it stored what covers it (a restart may append what follows in
     * another way). Durability is unchanged: {@link #flush()} still forces data to disk. Appends may wait in memory
     * (up to {@link #WRITE_BATCH}) until the next flush: publish only what a flush covers.
     */
    public void publishOnlyOnRequest() {
        publishOnRequest = true;
    }

    /**
     * Makes everything up to the end of {@code last}, a durable transaction of this log, visible to readers.
     * Only after {@link #publishOnlyOnRequest()}.
     */
    public void publish(AppendedTransaction last) {
        if (!publishOnRequest) {
            throw new IllegalStateException("the global binlog publishes on its own; see publishOnlyOnRequest()");
        }
        BinlogPosition end = new BinlogPosition(last.start().file(), last.endPosition());
        synchronized (commitMonitor) {
            if (end.compareTo(committed.end()) > 0) {
                committed = new Committed(end, last.gno(), last.cts());
                commitMonitor.notifyAll();
            }
        }
    }

    /** What opening had to repair. */
    public RecoveryReport recoveryReport() {
        return recoveryReport;
    }

    /**
     * Appends a row transaction: GTID, BEGIN, cts marker, the body's events, XID.
     *
     * @param cts            the transaction's commit timestamp; never below the previous transaction's
     * @param dependencyKeys coarse conflict keys as a bit set (e.g. bit = data node id mod 64): transactions
     *                       with disjoint keys may be applied in parallel by replicas; -1 makes it serial
     */
    public AppendedTransaction appendRows(long cts, long dependencyKeys, RowsBody body) throws IOException {
        return append(cts, dependencyKeys, null, body, null, null);
    }

    /**
     * Appends a row transaction whose cts marker also names where it came from (see
     * {@link io.gbinlog.protocol.binlog.CtsMarker}), so that a restarted writer can tell what it already wrote.
     */
    public AppendedTransaction appendRows(long cts, long dependencyKeys, String origin, RowsBody body)
            throws IOException {
        return append(cts, dependencyKeys, origin, body, null, null);
    }

    /** Appends a DDL: GTID and one query event, serial with everything around it. */
    public AppendedTransaction appendDdl(long cts, String defaultDb, String ddl) throws IOException {
        return append(cts, -1L, null, null, defaultDb, ddl);
    }

    /** Appends a DDL whose cts marker also names its origin. */
    public AppendedTransaction appendDdl(long cts, String origin, String defaultDb, String ddl) throws IOException {
        return append(cts, -1L, origin, null, defaultDb, ddl);
    }

    private AppendedTransaction append(long cts, long keys, String origin, RowsBody body, String db, String ddl)
            throws IOException {
        requireWritable();
        if (cts < lastCts) {
            throw new IllegalArgumentException("cts " + cts + " is below the last written cts " + lastCts);
        }
        if (keys == 0) {
            throw new IllegalArgumentException("dependency keys must name at least one key (-1: serial)");
        }
        if (activeSize >= config.maxFileSize()) {
            // Rotating here rather than right after the append that filled the file: a failed rotation then
            // fails this append, which wrote nothing yet, never one that was already durable and visible.
            mutate(this::rotate);
        }
        long gno = lastGno + 1;
        long sequence = clock.nextSequence();
        long lastCommitted = clock.lastCommitted(keys);
        long start = activeSize;
        if (!unwritten) {
            buffer.reset(start);
        }
        try {
            if (body == null) {
                encoder.ddl(cts, origin, gno, lastCommitted, sequence, db, ddl);
            } else {
                encoder.beginRows(cts, origin, gno, lastCommitted, sequence);
                body.writeTo(encoder);
                encoder.commit();
            }
        } catch (RuntimeException e) {
            boolean drained = encoder.drained();
            if (drained && failure == null) {
                failure = e; // part of the transaction is in the file: only recovery can tell where it ends
            }
            encoder.abort();
            if (!drained) {
                keepUnwritten(start);
            }
            if (e instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw e;
        }
        Segment segment = activeSegment();
        boolean batch = publishOnRequest && config.fsyncPolicy() != FsyncPolicy.EVERY_TRANSACTION
                && buffer.length() < WRITE_BATCH;
        mutate(() -> {
            if (!batch) {
                writeFully(active, buffer, buffer.basePosition());
            }
            if (segment.index.wants(start, config.indexIntervalBytes())) {
                segment.index.append(cts, gno, start);
            }
            if (config.fsyncPolicy() == FsyncPolicy.EVERY_TRANSACTION) {
                active.force(false);
            }
        });
        unwritten = batch;
        long end = buffer.position();
        activeSize = end;
        clock.committed(keys, sequence);
        lastGno = gno;
        lastCts = cts;
        shrinkBuffer();
        if (config.fsyncPolicy() != FsyncPolicy.ON_FLUSH && !publishOnRequest) {
            publish();
        }
        return new AppendedTransaction(gno, cts, sequence, new BinlogPosition(segment.name, start), end);
    }

    /**
     * Writes what appends left in the buffer, forces appended data to disk under {@link FsyncPolicy#ON_FLUSH} and
     * makes it visible to readers (the group commit). The active file's index is not forced: opening the log checks
     * it against the data and rebuilds what a crash lost, so one fsync per flush suffices.
     *
     * @throws IllegalStateException when an earlier write failed: what was appended since the last flush may be
     *                               lost, and only reopening the log tells
     */
    public void flush() throws IOException {
        if (failure == null && active == null) {
            return; // closed: closing flushed
        }
        requireWritable();
        mutate(() -> {
            writeUnwritten();
            if (config.fsyncPolicy() == FsyncPolicy.ON_FLUSH) {
                active.force(false);
            }
        });
        if (!publishOnRequest) {
            publish();
        }
    }

    /** GNO of the last durable transaction (0: none yet). */
    public long lastGno() {
        return committed.lastGno();
    }

    /** cts of the last durable transaction (0: none yet). */
    public long lastCts() {
        return committed.lastCts();
    }

    /** End of the durable data: what SHOW MASTER STATUS reports. */
    public BinlogPosition endPosition() {
        return committed.end();
    }

    /** Every file with its durable size, oldest first: what SHOW BINARY LOGS reports. */
    public List<BinlogPosition> files() {
        Committed c = committed;
        List<BinlogPosition> files = new ArrayList<>();
        for (Segment s : segments) {
            files.add(new BinlogPosition(s.name, visibleSize(s, c)));
        }
        return files;
    }

    /** The directory holding the files. */
    public Path directory() {
        return dir;
    }

    /** The settings the log was opened with (server id and cluster UUID are what its events carry). */
    public BinlogLogConfig config() {
        return config;
    }

    /**
     * Waits until the durable end moves beyond {@code seen}, polling nothing: appends wake the waiters.
     *
     * @return true if it did before the timeout
     */
    public boolean awaitBeyond(BinlogPosition seen, long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (commitMonitor) {
            while (committed.end().compareTo(seen) <= 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(commitMonitor, left);
            }
            return true;
        }
    }

    /** Streams events from {@code position} (4: the file's first event) of {@code file}, across rotations. */
    public BinlogEventReader openReader(String file, long position) throws IOException {
        Segment s = segment(file).orElseThrow(() -> new IllegalArgumentException(
                "binlog file " + file + " is not in " + dir.resolve(BinlogIndexFile.NAME)));
        long size = visibleSize(s, committed);
        if (position < EventHeader.MAGIC.length || position > size) {
            throw new IllegalArgumentException("position " + position + " is outside " + file + " (4.." + size + ")");
        }
        return new BinlogEventReader(this, s, position);
    }

    /** Where the transaction with GTID sequence number {@code gno} starts, if it is durable. */
    public Optional<BinlogPosition> findGno(long gno) throws IOException {
        Committed c = committed;
        if (gno < 1 || gno > c.lastGno()) {
            return Optional.empty();
        }
        Segment s = null;
        for (Segment candidate : segments) {
            if (candidate.baseGno <= gno) {
                s = candidate;
            }
        }
        long entry = s.index.lastAtOrBelowGno(gno);
        long from = entry < 0 ? s.headerEnd : s.index.position(entry);
        return scan(s, from, c, tx -> tx.gno() >= gno);
    }

    /** Where the first durable transaction with a cts of at least {@code cts} starts. */
    public Optional<BinlogPosition> findCts(long cts) throws IOException {
        Committed c = committed;
        if (c.lastGno() == 0 || cts > c.lastCts()) {
            return Optional.empty();
        }
        for (int i = segments.size() - 1; i >= 0; i--) {
            Segment s = segments.get(i);
            long entry = s.index.lastBelowCts(cts);
            if (entry >= 0 || i == 0) {
                long from = entry < 0 ? s.headerEnd : s.index.position(entry);
                Optional<BinlogPosition> found = scan(s, from, c, tx -> tx.cts() >= cts);
                if (found.isPresent() || i == segments.size() - 1) {
                    return found;
                }
                return Optional.of(new BinlogPosition(segments.get(i + 1).name, segments.get(i + 1).headerEnd));
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() throws IOException {
        try {
            if (active != null && failure == null) {
                flush();
                if (config.fsyncPolicy() == FsyncPolicy.NEVER) {
                    mutate(() -> active.force(false)); // the one fsync that policy makes besides rotation
                }
            }
        } finally {
            closeQuietly();
        }
    }

    // ---- reading support -------------------------------------------------------------------------------

    /** The file after {@code name}, or null when it is the newest. */
    Segment segmentAfter(Segment s) {
        int i = segments.indexOf(s);
        return i >= 0 && i + 1 < segments.size() ? segments.get(i + 1) : null;
    }

    /** How far readers may read {@code s}: to the published end in its file; all of an older file, none of a newer. */
    long visibleSize(Segment s, Committed c) {
        int order = Long.compare(SegmentName.number(s.name), SegmentName.number(c.end().file()));
        if (order == 0) {
            return c.end().position();
        }
        return order < 0 ? s.sealedSize : s.headerEnd;
    }

    long visibleSize(Segment s) {
        return visibleSize(s, committed);
    }

    private Optional<Segment> segment(String file) {
        return segments.stream().filter(s -> s.name.equals(file)).findFirst();
    }

    private interface Match {
        boolean test(TransactionScanner tx);
    }

    private Optional<BinlogPosition> scan(Segment s, long from, Committed c, Match match) throws IOException {
        long limit = visibleSize(s, c);
        try (FileChannel ch = FileChannel.open(s.path, StandardOpenOption.READ)) {
            EventFileReader in = new EventFileReader(ch, from);
            TransactionScanner tx = new TransactionScanner();
            while (in.next(limit) == EventFileReader.Result.EVENT) {
                if (tx.accept(in.buffer(), in.eventOffset(), in.eventSize(), in.eventPosition())
                        == TransactionScanner.Step.COMPLETE && match.test(tx)) {
                    return Optional.of(new BinlogPosition(s.name, tx.startPosition()));
                }
            }
        }
        return Optional.empty();
    }

    // ---- writing ---------------------------------------------------------------------------------------

    private Segment activeSegment() {
        return segments.get(segments.size() - 1);
    }

    /** One change of the files, all of it or a failed log. */
    private interface FileMutation {
        void run() throws IOException;
    }

    /**
     * Every change of the files goes through here. A change that throws leaves the files in a state this object
     * no longer describes (a half-written transaction, an index entry without its transaction, a file not yet
     * listed), so the log refuses every further change: reopening it lets recovery establish what the files
     * hold. The in-memory state moves, and readers see the change, only after it completed.
     */
    private void mutate(FileMutation mutation) throws IOException {
        try {
            mutation.run();
        } catch (Throwable t) {
            failure = t;
            throw t;
        }
    }

    private void requireWritable() {
        if (failure != null) {
            throw new IllegalStateException("an earlier write to the global binlog in " + dir + " failed (" + failure
                    + "); close it and open it again: opening recovers every transaction that reached the files",
                    failure);
        }
        if (active == null) {
            throw new IllegalStateException("the global binlog in " + dir + " is closed");
        }
    }

    private static void writeFully(FileChannel ch, EventBuffer data, long position) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(data.array(), 0, data.length());
        while (bytes.hasRemaining()) {
            ch.write(bytes, position + bytes.position());
        }
    }

    /** Writes the buffered appends (see {@link #WRITE_BATCH}); within a {@link #mutate}. */
    private void writeUnwritten() throws IOException {
        if (unwritten) {
            writeFully(active, buffer, buffer.basePosition());
            unwritten = false;
        }
    }

    /**
     * After a transaction failed to encode: the buffer keeps the earlier appends not yet written, up to
     * {@code end}, and drops the rest.
     */
    private void keepUnwritten(long end) {
        if (!unwritten) {
            return;
        }
        EventBuffer kept = new EventBuffer((int) (end - buffer.basePosition()));
        kept.reset(buffer.basePosition());
        kept.writeBytes(buffer.array(), 0, (int) (end - buffer.basePosition()));
        buffer = kept;
        encoder = newEncoder();
    }

    private void publish() {
        synchronized (commitMonitor) {
            committed = new Committed(new BinlogPosition(activeSegment().name, activeSize), lastGno, lastCts);
            commitMonitor.notifyAll();
        }
    }

    private void shrinkBuffer() {
        if (!unwritten && buffer.capacity() > RETAINED_BUFFER) {
            buffer = new EventBuffer(INITIAL_BUFFER);
            encoder = newEncoder();
        }
    }

    /** Ends the active file with a ROTATE event and continues in a new one; sealing always fsyncs. */
    private void rotate() throws IOException {
        Segment old = activeSegment();
        String next = SegmentName.of(SegmentName.number(old.name) + 1);
        writeUnwritten();
        buffer.reset(activeSize);
        RotateEventEncoder.write(buffer, nowSeconds(), config.serverId(), next);
        long sealedSize = activeSize + buffer.length();
        writeFully(active, buffer, activeSize);
        active.force(false);
        old.index.force();
        NewFile created = createFile(next);
        FileChannel sealed = active;
        old.sealedSize = sealedSize;
        install(created);
        if (!publishOnRequest) {
            publish();
        }
        closeQuietly(sealed, old.path);
    }

    /** A created, listed file not yet appended to. */
    private record NewFile(Segment segment, FileChannel channel) {
    }

    /**
     * Creates a file with its header and fsyncs it, then lists it in binlog.index: a listed file always has a whole
     * header. Changes nothing in memory: {@link #install} makes it the active file.
     */
    private NewFile createFile(String name) throws IOException {
        Path path = dir.resolve(name);
        Segment.writeHeader(buffer, nowSeconds(), config.serverId(), config.clusterUuid(), lastGno);
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
        SegmentIndex index = null;
        try {
            writeFully(ch, buffer, 0);
            ch.force(false);
            index = SegmentIndex.open(indexPath(name), lastGno + 1);
            index.truncate(0);
            List<String> names = new ArrayList<>();
            segments.forEach(s -> names.add(s.name));
            names.add(name);
            BinlogIndexFile.write(dir, names);
            return new NewFile(new Segment(name, path, lastGno + 1, buffer.length(), index), ch);
        } catch (Throwable t) {
            closeQuietly(ch, path);
            if (index != null) {
                closeQuietly(index, index.path());
            }
            throw t;
        }
    }

    private void install(NewFile file) {
        segments.add(file.segment());
        active = file.channel();
        activeSize = file.segment().headerEnd;
        clock.newFile();
    }

    private Path indexPath(String name) {
        return indexDir.resolve(name + ".idx");
    }

    private static long nowSeconds() {
        return System.currentTimeMillis() / 1000;
    }

    // ---- recovery --------------------------------------------------------------------------------------

    /** The result of scanning a file from a transaction boundary. */
    private static final class Tail {
        long end;
        long lastGno;
        long lastCts;
        long lastSequence;
        String stopReason;
        long entriesAdded;
    }

    private void recover() throws IOException {
        Files.createDirectories(indexDir);
        List<String> removed = new ArrayList<>();
        if (!Files.exists(dir.resolve(BinlogIndexFile.NAME))) {
            removeFirstFileOfAnInterruptedStart(removed);
            install(createFile(SegmentName.of(1)));
            recoveryReport = new RecoveryReport(null, 0, 0, null, 0, 0, List.copyOf(removed));
            if (!recoveryReport.clean()) {
                LOG.warn("{}", recoveryReport);
            }
            publish();
            return;
        }
        List<String> listed = BinlogIndexFile.read(dir);
        if (listed.isEmpty()) {
            throw new IOException(dir.resolve(BinlogIndexFile.NAME) + " lists no binlog file");
        }
        removeUnlistedNewerFiles(listed, removed);
        long dropped = 0;
        long added = 0;
        Tail tail = null;
        long previousLastGno = 0;
        long previousLastCts = 0;
        for (int i = 0; i < listed.size(); i++) {
            String name = listed.get(i);
            Path path = dir.resolve(name);
            if (!Files.exists(path)) {
                throw new IOException(name + " is listed in " + BinlogIndexFile.NAME + " but missing from " + dir);
            }
            boolean last = i == listed.size() - 1;
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                Segment.Header header = Segment.readHeader(ch, config.clusterUuid(), name);
                if (header == null) {
                    long size = ch.size();
                    requireTornHeader(name, last, size, Segment.headerSize(previousLastGno));
                    // A crash while the newest file was written anew (below): it holds no transaction yet.
                    lastGno = previousLastGno;
                    lastCts = previousLastCts;
                    install(createFile(name));
                    recoveryReport = new RecoveryReport(name, 0, size, "torn file header, written anew", dropped,
                            added, List.copyOf(removed));
                    LOG.warn("{}", recoveryReport);
                    publish();
                    return;
                }
                if (header.baseGno() != previousLastGno + 1) {
                    throw new IOException(name + " starts at GTID " + header.baseGno() + " but the files before it end at "
                            + previousLastGno + ": GTIDs would have a gap");
                }
                SegmentIndex index = SegmentIndex.open(indexPath(name), header.baseGno());
                Segment segment = new Segment(name, path, header.baseGno(), header.end(), index);
                long entriesBefore = index.entries();
                index.truncate(index.consistentEntries(segment.headerEnd, ch.size()));
                long from = validIndexTail(ch, segment);
                tail = scanTail(ch, segment, from, ch.size());
                while (tail.lastGno == 0 && from != segment.headerEnd) {
                    // The last indexed transaction is incomplete: the one before it is the last whole one.
                    index.truncate(index.entries() - 1);
                    from = validIndexTail(ch, segment);
                    tail = scanTail(ch, segment, from, ch.size());
                }
                dropped += entriesBefore - (index.entries() - tail.entriesAdded);
                added += tail.entriesAdded;
                if (!last && tail.end < ch.size() && !endsWithRotate(ch, tail.end)) {
                    throw new IOException(name + " is corrupt after position " + tail.end + ": " + tail.stopReason);
                }
                if (tail.lastGno == 0) {
                    tail.lastGno = previousLastGno;
                    tail.lastCts = previousLastCts;
                }
                previousLastGno = tail.lastGno;
                previousLastCts = tail.lastCts;
                segments.add(segment);
                if (!last) {
                    segment.sealedSize = ch.size();
                }
                if (last) {
                    long size = ch.size();
                    if (size > tail.end) {
                        ch.truncate(tail.end);
                        ch.force(true);
                        recoveryReport = new RecoveryReport(name, tail.end, size - tail.end, tail.stopReason, dropped,
                                added, List.copyOf(removed));
                    }
                    index.force();
                }
            }
        }
        if (recoveryReport == null) {
            recoveryReport = new RecoveryReport(null, 0, 0, null, dropped, added, List.copyOf(removed));
        }
        active = FileChannel.open(activeSegment().path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        activeSize = tail.end;
        lastGno = tail.lastGno;
        lastCts = tail.lastCts;
        clock.restart(tail.lastSequence);
        if (!recoveryReport.clean()) {
            LOG.warn("{}", recoveryReport);
        }
        publish();
    }

    /**
     * A file's header is fsynced before the file is listed, and listed files are never written anew except the
     * newest while it holds no transaction: so only the newest listed file, and only while it is no longer than
     * a header, can have a torn one. Anything else is damage that recovery must not paper over by rewriting.
     */
    private void requireTornHeader(String name, boolean last, long size, long headerSize) throws IOException {
        if (!last) {
            throw new IOException(name + " does not start with a global binlog header (magic, format description,"
                    + " previous GTIDs); it is corrupt");
        }
        if (size > headerSize) {
            throw new IOException(name + " is the newest file in " + BinlogIndexFile.NAME + " and holds " + size
                    + " bytes, but does not start with a global binlog header (magic, format description, previous"
                    + " GTIDs): a crash can only tear the header of a file that holds no transaction yet, so " + name
                    + " is corrupt; restore it from a copy");
        }
    }

    /**
     * Drops last index entries that point at anything but the GTID event they name, and returns where scanning
     * must resume: the last good entry's transaction start, or the end of the file header.
     */
    private long validIndexTail(FileChannel ch, Segment segment) throws IOException {
        SegmentIndex index = segment.index;
        long size = ch.size();
        while (index.entries() > 0) {
            long i = index.entries() - 1;
            long position = index.position(i);
            if (position >= segment.headerEnd && position < size && gtidAt(ch, position, size) == index.gno(i)) {
                return position;
            }
            index.truncate(i);
        }
        return segment.headerEnd;
    }

    private static long gtidAt(FileChannel ch, long position, long size) throws IOException {
        EventFileReader in = new EventFileReader(ch, position);
        if (in.next(size) != EventFileReader.Result.EVENT
                || EventHeader.type(in.buffer(), in.eventOffset()) != EventType.GTID) {
            return -1;
        }
        return GtidEventEncoder.gno(in.buffer(), in.eventOffset());
    }

    private Tail scanTail(FileChannel ch, Segment segment, long from, long limit) throws IOException {
        Tail tail = new Tail();
        tail.end = from;
        EventFileReader in = new EventFileReader(ch, from);
        TransactionScanner tx = new TransactionScanner();
        long expectedGno = -1;
        while (true) {
            EventFileReader.Result r = in.next(limit);
            if (r == EventFileReader.Result.END) {
                if (in.nextPosition() > tail.end) {
                    tail.stopReason = tx.insideTransaction() ? "partial transaction " + tx.gno()
                            : "events after the last transaction";
                }
                return tail;
            }
            if (r != EventFileReader.Result.EVENT) {
                tail.stopReason = (r == EventFileReader.Result.TORN ? "torn event at position "
                        : "bad event size or checksum at position ") + in.nextPosition();
                return tail;
            }
            TransactionScanner.Step step;
            try {
                step = tx.accept(in.buffer(), in.eventOffset(), in.eventSize(), in.eventPosition());
            } catch (BinlogFormatException e) {
                tail.stopReason = e.getMessage();
                return tail;
            }
            if (step != TransactionScanner.Step.COMPLETE) {
                continue;
            }
            if (expectedGno == -1) {
                expectedGno = from == segment.headerEnd ? segment.baseGno : tx.gno();
            }
            if (tx.gno() != expectedGno) {
                tail.stopReason = "GTID " + tx.gno() + " at position " + tx.startPosition() + " where " + expectedGno
                        + " must come";
                return tail;
            }
            expectedGno++;
            if (segment.index.wants(tx.startPosition(), config.indexIntervalBytes())) {
                segment.index.append(tx.cts(), tx.gno(), tx.startPosition());
                tail.entriesAdded++;
            }
            tail.end = in.nextPosition();
            tail.lastGno = tx.gno();
            tail.lastCts = tx.cts();
            tail.lastSequence = tx.sequenceNumber();
        }
    }

    private static boolean endsWithRotate(FileChannel ch, long position) throws IOException {
        EventFileReader in = new EventFileReader(ch, position);
        return in.next(ch.size()) == EventFileReader.Result.EVENT
                && EventHeader.type(in.buffer(), in.eventOffset()) == EventType.ROTATE
                && in.nextPosition() == ch.size();
    }

    private List<String> binlogFilesOnDisk() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).filter(SegmentName::matches).sorted().toList();
        }
    }

    /**
     * True when {@code name} holds at most a header, possibly torn: what a crash leaves of a file created but not
     * yet listed (appends only go to listed files). A file is never longer than its header before it is listed.
     */
    private boolean holdsOnlyAHeader(String name) throws IOException {
        try (FileChannel ch = FileChannel.open(dir.resolve(name), StandardOpenOption.READ)) {
            Segment.Header header = Segment.readHeader(ch, config.clusterUuid(), name);
            return header == null ? ch.size() <= Segment.headerSize(1) : header.end() == ch.size();
        }
    }

    private void remove(String name, List<String> removed) throws IOException {
        Files.delete(dir.resolve(name));
        Files.deleteIfExists(indexPath(name));
        removed.add(name);
    }

    /**
     * Without binlog.index no file was ever listed, so no transaction was ever appended: the only file that can be
     * here is the first one, left by a crash while it was created. Anything else is not ours to judge.
     */
    private void removeFirstFileOfAnInterruptedStart(List<String> removed) throws IOException {
        List<String> strays = binlogFilesOnDisk();
        if (strays.isEmpty()) {
            return;
        }
        String first = SegmentName.of(1);
        if (!strays.equals(List.of(first)) || !holdsOnlyAHeader(first)) {
            throw new IOException(dir.resolve(BinlogIndexFile.NAME) + " is missing but binlog files exist: "
                    + strays + "; restore the index file (one ./binlog.NNNNNN per line) or move the files away");
        }
        remove(first, removed);
        BinlogIndexFile.syncDirectory(dir);
    }

    /**
     * A rotation that crashed after creating the next file but before listing it leaves a file with no
     * transaction: remove it. A newer unlisted file holding more is not ours to judge.
     */
    private void removeUnlistedNewerFiles(List<String> listed, List<String> removed) throws IOException {
        long newest = SegmentName.number(listed.get(listed.size() - 1));
        for (String name : binlogFilesOnDisk()) {
            if (SegmentName.number(name) <= newest) {
                continue;
            }
            if (!holdsOnlyAHeader(name)) {
                throw new IOException(name + " holds data but is not listed in " + BinlogIndexFile.NAME
                        + "; list it there or move it away");
            }
            remove(name, removed);
        }
        if (!removed.isEmpty()) {
            BinlogIndexFile.syncDirectory(dir);
        }
    }

    private void closeQuietly() {
        for (Segment s : segments) {
            closeQuietly(s.index, s.index.path());
        }
        if (active != null) {
            closeQuietly(active, activeSegment().path);
            active = null;
        }
    }

    private static void closeQuietly(AutoCloseable c, Path path) {
        try {
            c.close();
        } catch (Exception e) {
            LOG.warn("closing {}: {}", path, e.toString());
        }
    }

    /**
     * MySQL's logical clock, computed from coarse write sets: a transaction's last_committed is the newest
     * earlier transaction in the same file sharing a key with it. Sequence numbers restart in every file, as
     * MySQL's do.
     */
    private static final class LogicalClock {
        private final long[] lastByKey = new long[64];
        private long sequence;

        long nextSequence() {
            return sequence + 1;
        }

        long lastCommitted(long keys) {
            long last = 0;
            for (long k = keys; k != 0; k &= k - 1) {
                last = Math.max(last, lastByKey[Long.numberOfTrailingZeros(k)]);
            }
            return last;
        }

        void committed(long keys, long seq) {
            sequence = seq;
            for (long k = keys; k != 0; k &= k - 1) {
                lastByKey[Long.numberOfTrailingZeros(k)] = seq;
            }
        }

        void newFile() {
            sequence = 0;
            Arrays.fill(lastByKey, 0);
        }

        /** After a restart nothing is known of write sets: the next transaction follows all before it. */
        void restart(long lastSequence) {
            sequence = lastSequence;
            Arrays.fill(lastByKey, lastSequence);
        }
    }
}
