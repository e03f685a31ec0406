package io.gbinlog.integration.testing;

import io.gbinlog.integration.coordinator.TsoClient;
import io.gbinlog.meta.tso.TsoAllocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

/** A TSO for tests. */
public final class TestTso implements AutoCloseable {

    private final Path dir;
    private final TsoAllocator allocator;

    private TestTso(Path dir, TsoAllocator allocator) {
        this.dir = dir;
        this.allocator = allocator;
    }

    public static TestTso start() {
        try {
            Path dir = Files.createTempDirectory("gbinlog-test-tso-");
            return new TestTso(dir, TsoAllocator.open(dir.resolve("tso.lease")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Supplier<TsoClient> clients() {
        return () -> new TsoClient() {
            @Override
            public long next() {
                return allocator.next();
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    public void close() throws IOException {
        allocator.close();
        try (var files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.delete(file);
            }
        }
        Files.delete(dir);
    }
}
