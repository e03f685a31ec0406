package io.gbinlog.merger.writer;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A MariaDB server in a temporary directory, configured as a gbinlog data node (row binlog, full images,
 * annotate events), for one test class. {@link #close()} stops it, whatever happened.
 */
final class ThrowawayMariaDb implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final Process process;

    private ThrowawayMariaDb(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    static ThrowawayMariaDb start(Path dir) throws Exception {
        Path data = dir.resolve("data");
        run(List.of("mariadb-install-db", "--no-defaults", "--datadir=" + data, "--user=root",
                "--auth-root-authentication-method=normal", "--skip-test-db"), dir.resolve("install.log"));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort(); // mariadbd cannot bind port 0 itself
        }
        Process p = new ProcessBuilder("mariadbd", "--no-defaults", "--datadir=" + data, "--user=root",
                "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + dir.resolve("mysqld.sock"),
                "--pid-file=" + dir.resolve("mysqld.pid"), "--log-bin=" + data.resolve("mariadb-bin"),
                "--server-id=11", "--binlog-format=ROW", "--binlog-row-image=FULL",
                "--binlog-annotate-row-events=ON", "--character-set-server=utf8mb4",
                "--innodb-buffer-pool-size=32M", "--skip-name-resolve")
                .redirectErrorStream(true).redirectOutput(dir.resolve("server.log").toFile()).start();
        ThrowawayMariaDb db = new ThrowawayMariaDb(dir, port, p);
        try {
            db.awaitReady();
        } catch (Exception e) {
            db.close();
            throw e;
        }
        return db;
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/?user=root");
    }

    Path socket() {
        return dir.resolve("mysqld.sock");
    }

    /** The binlog the server is writing (one file: tests stay far below its rotation size). */
    Path binlogFile() {
        return dir.resolve("data").resolve("mariadb-bin.000001");
    }

    private void awaitReady() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try (Connection c = connect()) {
                return;
            } catch (SQLException e) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("mariadbd exited: " + Files.readString(dir.resolve("server.log")));
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("mariadbd did not accept connections within 60 s", e);
                }
                Thread.onSpinWait();
                process.waitFor(50, TimeUnit.MILLISECONDS); // returns early only if the server died
            }
        }
    }

    static void run(List<String> command, Path log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException(command.get(0) + " did not finish in 120 s");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(command + " failed: " + Files.readString(log));
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy(); // SIGTERM: mariadbd shuts down cleanly
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }
}
