package io.gbinlog.integration.testing;

import io.gbinlog.meta.tso.JdbcTsoClient;
import io.gbinlog.meta.tso.TsoClient;
import io.gbinlog.meta.tso.TsoAllocator;
import io.gbinlog.meta.tso.TsoServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;

/** The real TSO server on a free port, with its lease in a temporary directory; coordinators use JDBC. */
public final class TestTso implements AutoCloseable {

    public static final String HOST = "127.0.0.1";
    public static final String USER = "coordinator";
    public static final String PASSWORD = "tso-secret";

    private final Path dir;
    private final TsoAllocator allocator;
    private final TsoServer server;

    private TestTso(Path dir, TsoAllocator allocator, TsoServer server) {
        this.dir = dir;
        this.allocator = allocator;
        this.server = server;
    }

    public static TestTso start() {
        try {
            Path dir = Files.createTempDirectory("gbinlog-test-tso-");
            TsoAllocator allocator = TsoAllocator.open(dir.resolve("tso.lease"));
            return new TestTso(dir, allocator, TsoServer.start(allocator, HOST, 0, Map.of(USER, PASSWORD)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return server.port();
    }

    /** One JDBC client ({@code SELECT TSO_TIMESTAMP()}) per coordinator session. */
    public Supplier<TsoClient> clients() {
        return JdbcTsoClient.factory(HOST, server.port(), USER, PASSWORD);
    }

    @Override
    public void close() throws IOException {
        server.close();
        allocator.close();
        try (var files = Files.list(dir)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Files.delete(file);
            }
        }
        Files.delete(dir);
    }
}
