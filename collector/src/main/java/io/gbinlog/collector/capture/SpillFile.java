package io.gbinlog.collector.capture;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Predicate;

/**
 * The events of one spilled group, in chunks as the builder filled them: per chunk the event count and byte
 * count, then per event its type, length and body. A chunk is read back as one in-memory {@link EventGroup}, so
 * memory stays bounded by the spill threshold plus one event. The file is deleted by {@link #delete} or, for a group
 * dropped without being written (a rolled-back branch, a transaction already in the files), when the group is
 * collected.
 */
final class SpillFile {

    private static final Cleaner CLEANER = Cleaner.create();
    private static final int IO_BUFFER = 64 * 1024;

    private final Path path;
    private final Cleaner.Cleanable cleanable;

    private SpillFile(Path path, Cleaner.Cleanable cleanable) {
        this.path = path;
        this.cleanable = cleanable;
    }

    /** Written chunk by chunk while the group is read from the data node. */
    static final class Writer {
        private final Path path;
        private final DataOutputStream out;

        Writer(Path path) {
            this.path = path;
            try {
                this.out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(path), IO_BUFFER));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the spill file " + path, e);
            }
        }

        void writeChunk(byte[] buffer, int[] offsets, int[] lengths, byte[] types, int count, int bytes) {
            try {
                out.writeInt(count);
                out.writeInt(bytes);
                for (int i = 0; i < count; i++) {
                    out.writeByte(types[i]);
                    out.writeInt(lengths[i]);
                    out.write(buffer, offsets[i], lengths[i]);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the spill file " + path, e);
            }
        }

        /** The group is complete; from now on its file lives as long as the returned handle is needed. */
        SpillFile finish(Object owner) {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the spill file " + path, e);
            }
            Path p = path;
            return new SpillFile(path, CLEANER.register(owner, () -> deleteQuietly(p)));
        }

        /** The group was abandoned while being read (the stream restarts): nothing will read the file. */
        void discard() {
            try {
                out.close();
            } catch (IOException ignored) {
                // deleted right after
            }
            deleteQuietly(path);
        }
    }

    /** Reads the chunks in order until {@code visit} returns false; true when every chunk was visited. */
    boolean forEachChunk(boolean ddl, boolean writesDdlLog, Predicate<EventGroup> visit) {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(path), IO_BUFFER))) {
            while (true) {
                int count;
                try {
                    count = in.readInt();
                } catch (EOFException end) {
                    return true;
                }
                byte[] buffer = new byte[in.readInt()];
                int[] offsets = new int[count];
                int[] lengths = new int[count];
                byte[] types = new byte[count];
                int used = 0;
                for (int i = 0; i < count; i++) {
                    types[i] = in.readByte();
                    lengths[i] = in.readInt();
                    offsets[i] = used;
                    in.readFully(buffer, used, lengths[i]);
                    used += lengths[i];
                }
                if (!visit.test(new EventGroup(buffer, offsets, lengths, types, ddl, writesDdlLog))) {
                    return false;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the spill file " + path, e);
        }
    }

    void delete() {
        cleanable.clean();
    }

    @Override
    public String toString() {
        return path.toString();
    }

    private static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // the next start empties the spill directory
        }
    }
}
