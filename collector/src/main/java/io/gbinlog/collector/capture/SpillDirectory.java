package io.gbinlog.collector.capture;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where event groups larger than a threshold keep their events instead of the heap: one file per group, written
 * once, read back in chunks by the writer, deleted once written. A file left by an earlier run is useless (its
 * transaction is read again from the data node), so opening the directory empties it.
 */
public final class SpillDirectory {

    private static final String SUFFIX = ".spill";

    private final Path dir;
    private final long thresholdBytes;

    private SpillDirectory(Path dir, long thresholdBytes) {
        this.dir = dir;
        this.thresholdBytes = thresholdBytes;
    }

    /**
     * Creates {@code dir} if needed and removes the spill files of an earlier run; only the one pipeline that owns
     * the storage directory may call it.
     *
     * @param thresholdBytes a group holding more event bytes than this goes to disk
     */
    public static SpillDirectory open(Path dir, long thresholdBytes) throws IOException {
        if (thresholdBytes < 1) {
            throw new IllegalArgumentException("spill threshold must be positive, was " + thresholdBytes);
        }
        Files.createDirectories(dir);
        try (DirectoryStream<Path> stale = Files.newDirectoryStream(dir, "*" + SUFFIX)) {
            for (Path file : stale) {
                Files.delete(file);
            }
        }
        return new SpillDirectory(dir, thresholdBytes);
    }

    public Path dir() {
        return dir;
    }

    long thresholdBytes() {
        return thresholdBytes;
    }

    Path newFile(int stream) {
        try {
            return Files.createTempFile(dir, "stream" + stream + "-", SUFFIX);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a spill file in " + dir, e);
        }
    }
}
