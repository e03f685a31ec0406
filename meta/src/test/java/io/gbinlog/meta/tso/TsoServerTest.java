package io.gbinlog.meta.tso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TsoServerTest {
    private static final Map<String, String> USERS = Map.of("coord", "s3cret");

    @TempDir
    Path dir;

    /** One call as a client saw it: sent at {@code start}, answered at {@code end}. */
    record Call(long start, long end, long value) {
    }

    @Test
    void valuesFromConcurrentConnectionsFollowRealTimeOrder() throws Exception {
        try (TsoAllocator allocator = TsoAllocator.open(dir.resolve("tso.lease"));
             TsoServer server = TsoServer.start(allocator, "127.0.0.1", 0, USERS)) {
            int clients = 4;
            int perClient = 2_000;
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            try {
                List<Future<List<Call>>> futures = new ArrayList<>();
                for (int c = 0; c < clients; c++) {
                    futures.add(pool.submit(() -> {
                        List<Call> calls = new ArrayList<>(perClient);
                        try (Connection conn = connect(server.port(), "coord", "s3cret");
                             Statement st = conn.createStatement()) {
                            long previous = Long.MIN_VALUE;
                            for (int i = 0; i < perClient; i++) {
                                long start = System.nanoTime();
                                long value = queryTso(st);
                                calls.add(new Call(start, System.nanoTime(), value));
                                assertTrue(value > previous, "a connection saw its values go down");
                                previous = value;
                            }
                        }
                        return calls;
                    }));
                }
                List<Call> all = new ArrayList<>();
                for (Future<List<Call>> f : futures) {
                    all.addAll(f.get(2, TimeUnit.MINUTES));
                }
                assertLinearizable(all);
            } finally {
                pool.shutdownNow();
            }
        }
    }

    /**
     * Every call that was answered before another call was sent got the smaller value: the order the
     * values were returned in is the order of the values.
     */
    private static void assertLinearizable(List<Call> calls) {
        assertEquals(calls.size(), calls.stream().mapToLong(Call::value).distinct().count(), "duplicate values");
        List<Call> byEnd = new ArrayList<>(calls);
        byEnd.sort(Comparator.comparingLong(Call::end));
        List<Call> byStart = new ArrayList<>(calls);
        byStart.sort(Comparator.comparingLong(Call::start));
        long maxFinished = Long.MIN_VALUE;
        int e = 0;
        for (Call call : byStart) {
            while (e < byEnd.size() && byEnd.get(e).end() < call.start()) {
                maxFinished = Math.max(maxFinished, byEnd.get(e).value());
                e++;
            }
            assertTrue(call.value() > maxFinished, "value " + call.value() + " was returned after " + maxFinished
                    + " had already been returned to another client");
        }
    }

    @Test
    void aRestartedServerNeverGoesBack() throws Exception {
        Path lease = dir.resolve("tso.lease");
        long last;
        try (TsoAllocator allocator = TsoAllocator.open(lease);
             TsoServer server = TsoServer.start(allocator, "127.0.0.1", 0, USERS);
             Connection conn = connect(server.port(), "coord", "s3cret");
             Statement st = conn.createStatement()) {
            last = 0;
            for (int i = 0; i < 1_000; i++) {
                last = queryTso(st);
            }
        }
        try (TsoAllocator allocator = TsoAllocator.open(lease);
             TsoServer server = TsoServer.start(allocator, "127.0.0.1", 0, USERS);
             Connection conn = connect(server.port(), "coord", "s3cret");
             Statement st = conn.createStatement()) {
            assertTrue(queryTso(st) > last);
        }
    }

    @Test
    void theJdbcClientReconnectsOnTheCallAfterAFailure() throws Exception {
        Path lease = dir.resolve("tso.lease");
        TsoAllocator allocator = TsoAllocator.open(lease);
        TsoServer server = TsoServer.start(allocator, "127.0.0.1", 0, USERS);
        int port = server.port();
        try (TsoClient client = new JdbcTsoClient("127.0.0.1", port, "coord", "s3cret")) {
            long before = client.next();
            server.close();
            allocator.close();
            allocator = TsoAllocator.open(lease);
            server = TsoServer.start(allocator, "127.0.0.1", port, USERS);
            assertThrows(SQLException.class, client::next, "the connection died with the server");
            assertTrue(client.next() > before, "the call after the failure connects again");
        } finally {
            server.close();
            allocator.close();
        }
    }

    @Test
    void wrongPasswordIsRefusedWith1045() throws Exception {
        try (TsoAllocator allocator = TsoAllocator.open(dir.resolve("tso.lease"));
             TsoServer server = TsoServer.start(allocator, "127.0.0.1", 0, USERS)) {
            SQLException e = assertThrows(SQLException.class, () -> connect(server.port(), "coord", "wrong"));
            assertEquals(1045, e.getErrorCode());

            CliResult bad = mariadbCli(server.port(), "wrong", "SELECT TSO_TIMESTAMP()");
            assertNotEquals(0, bad.exitCode());
            assertTrue(bad.stderr().contains("1045"), bad.stderr());

            CliResult good = mariadbCli(server.port(), "s3cret", "SELECT TSO_TIMESTAMP()");
            assertEquals(0, good.exitCode(), good.stderr());
            assertTrue(Long.parseLong(good.stdout().strip()) > 0);
        }
    }

    @Test
    void otherStatementsGetAnErrorAndTheConnectionStays() throws Exception {
        try (TsoAllocator allocator = TsoAllocator.open(dir.resolve("tso.lease"));
             TsoServer server = TsoServer.start(allocator, "127.0.0.1", 0, USERS);
             Connection conn = connect(server.port(), "coord", "s3cret");
             Statement st = conn.createStatement()) {
            SQLException e = assertThrows(SQLException.class, () -> st.executeQuery("SELECT * FROM t"));
            assertEquals(1235, e.getErrorCode());
            try (ResultSet rs = st.executeQuery("select tso_timestamp() as ts")) {
                assertTrue(rs.next());
                assertEquals("ts", rs.getMetaData().getColumnLabel(1));
                assertTrue(rs.getLong(1) > 0);
            }
        }
    }

    private static Connection connect(int port, String user, String password) throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/", user, password);
    }

    private static long queryTso(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT TSO_TIMESTAMP()")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    record CliResult(int exitCode, String stdout, String stderr) {
    }

    private static CliResult mariadbCli(int port, String password, String sql) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("mariadb", "--protocol=TCP", "-h127.0.0.1", "-P" + port, "-ucoord",
                "-p" + password, "-N", "-e", sql).start();
        try {
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "mariadb client did not finish");
            return new CliResult(p.exitValue(), out, err);
        } finally {
            p.destroyForcibly();
        }
    }
}
