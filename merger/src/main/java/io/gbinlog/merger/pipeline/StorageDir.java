package io.gbinlog.merger.pipeline;

import io.gbinlog.merger.checkpoint.CheckpointFile;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import java.util.Comparator;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * The pipeline's storage directory: the global binlog under {@code binlog/}, {@code checkpoint.json}, the events of
 * large transactions being written under {@code spill/}, and {@code server-uuid} (the source UUID of every GTID, chosen once, as a MySQL server keeps its own in auto.cnf).
 * Held under a lock: two pipelines writing one global binlog would corrupt it.
 */
final class StorageDir implements AutoCloseable {

    private static final String LOCK = "pipeline.lock";
    private static final String UUID_FILE = "server-uuid";

    private final Path dir;
    private final FileLock lock;

    private StorageDir(Path dir, FileLock lock) {
        this.dir = dir;
        this.lock = lock;
    }

    static StorageDir open(Path dir) throws IOException {
        Files.createDirectories(dir);
        FileChannel channel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock = null;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException held) {
            // by this JVM: the same refusal
        }
        if (lock == null) {
            channel.close();
            throw new IllegalStateException("storage.dir " + dir + " is in use by another gbinlog pipeline (" + LOCK
                    + " is locked); one pipeline writes one global binlog");
        }
        return new StorageDir(dir, lock);
    }

    Path binlogDir() {
        return dir.resolve("binlog");
    }

    Path schemaDir() {
        return dir.resolve("schema");
    }

    /** Deletes a schema history left by a first start that never wrote its checkpoint: the next one starts anew. */
    void clearSchemaDir() throws IOException {
        Path schema = schemaDir();
        if (Files.isDirectory(schema)) {
            try (Stream<Path> files = Files.walk(schema)) {
                for (Path p : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                    Files.delete(p);
                }
            }
        }
    }

    Path spillDir() {
        return dir.resolve("spill");
    }

    CheckpointFile checkpoints() {
        return new CheckpointFile(dir);
    }

    UUID serverUuid() throws IOException {
        Path file = dir.resolve(UUID_FILE);
        if (Files.exists(file)) {
            String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            try {
                return UUID.fromString(text);
            } catch (IllegalArgumentException e) {
                throw new IOException(file + " holds '" + text + "', not a UUID; it names the global binlog's GTIDs and"
                        + " must not change once the files exist");
            }
        }
        UUID uuid = UUID.randomUUID();
        Path tmp = dir.resolve(UUID_FILE + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(java.nio.ByteBuffer.wrap((uuid + "\n").getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
        return uuid;
    }

    @Override
    public void close() throws IOException {
        lock.channel().close();
    }
}
