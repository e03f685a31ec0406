package io.gbinlog.merger.checkpoint;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * The checkpoint on disk: {@code checkpoint.json}, human-readable, replaced atomically. A new version is written to
 * a temporary file, forced to disk, renamed over the old one, and the directory is forced: after a crash at any
 * moment the file holds either the old checkpoint or the new one, whole. Without {@code force} (the global binlog
 * itself is not forced, {@code binlog.fsync: never}) the same steps run without the two fsyncs: a process crash
 * still leaves one whole checkpoint, a machine crash may lose both the data and the checkpoint's last versions.
 */
public final class CheckpointFile {

    public static final String NAME = "checkpoint.json";

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

    private final Path file;
    private final Path temporary;

    public CheckpointFile(Path directory) {
        this.file = directory.resolve(NAME);
        this.temporary = directory.resolve(NAME + ".tmp");
    }

    public Path path() {
        return file;
    }

    /** The checkpoint, or empty when none was ever written. */
    public Optional<Checkpoint> read() throws IOException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        Checkpoint c;
        try {
            c = JSON.readValue(file.toFile(), Checkpoint.class);
        } catch (JacksonException e) {
            throw new IOException(file + " is not a gbinlog checkpoint: " + e.getOriginalMessage(), e);
        }
        if (c.format() != Checkpoint.FORMAT) {
            throw new IOException(file + " has format " + c.format() + "; this gbinlog reads format " + Checkpoint.FORMAT);
        }
        try {
            c.engineCheckpoint();
        } catch (IllegalArgumentException e) {
            throw new IOException(file + " is not a gbinlog checkpoint: its engine checkpoint is damaged ("
                    + e.getMessage() + ")", e);
        }
        return Optional.of(c);
    }

    public void write(Checkpoint checkpoint) throws IOException {
        write(checkpoint, true);
    }

    public void write(Checkpoint checkpoint, boolean force) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(checkpoint);
        try (FileChannel ch = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b);
            }
            if (force) {
                ch.force(true);
            }
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        if (!force) {
            return;
        }
        try (FileChannel dir = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }
}
