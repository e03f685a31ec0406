package io.gbinlog.merger.writer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code binlog.index}: the binlog files in order, one per line, written as MySQL writes them
 * ({@code ./binlog.000001}). Replaced atomically (temp file, fsync, rename, fsync of the directory) so a
 * crash leaves either the old or the new list.
 */
final class BinlogIndexFile {
    static final String NAME = "binlog.index";

    private BinlogIndexFile() {
    }

    static List<String> read(Path dir) throws IOException {
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve(NAME), StandardCharsets.UTF_8)) {
            String name = line.strip();
            if (name.isEmpty()) {
                continue;
            }
            name = name.substring(name.lastIndexOf('/') + 1);
            if (!SegmentName.matches(name)) {
                throw new IOException(dir.resolve(NAME) + " lists '" + line + "', which is not a binlog.NNNNNN file");
            }
            names.add(name);
        }
        return names;
    }

    static void write(Path dir, List<String> names) throws IOException {
        StringBuilder text = new StringBuilder();
        for (String name : names) {
            text.append("./").append(name).append('\n');
        }
        Path tmp = dir.resolve(NAME + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer bytes = ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8));
            while (bytes.hasRemaining()) {
                ch.write(bytes);
            }
            ch.force(true);
        }
        Files.move(tmp, dir.resolve(NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        syncDirectory(dir);
    }

    /** Makes created, renamed and deleted names in {@code dir} durable. */
    static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
