package io.gbinlog.integration.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One MariaDB server of a {@link LocalCluster}: its own directories, port, server_id and gtid_domain_id,
 * configured as the design's data-node contract requires (binlog on, ROW, FULL images, annotate events).
 *
 * <p>A node keeps its port and directories across {@link #stop()}/{@link #start()} and {@link #kill()}, so
 * clients configured with its address reach it again after a restart.
 */
public final class DataNode {

    static final String USER = "gbinlog";
    static final String PASSWORD = "gbinlog";
    static final String HOST = "127.0.0.1";

    private static final int PORT_ATTEMPTS = 5;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);

    private final String id;
    private final int serverId;
    private final Path nodeDir;
    private final MariaDbBinaries binaries;
    private final List<String> extraOptions;
    private final Duration startTimeout;
    private int port;              // 0 until the first successful start picks one
    private Process process;       // null while stopped

    DataNode(String id, int serverId, Path nodeDir, MariaDbBinaries binaries, List<String> extraOptions,
             Duration startTimeout) {
        this.id = id;
        this.serverId = serverId;
        this.nodeDir = nodeDir;
        this.binaries = binaries;
        this.extraOptions = List.copyOf(extraOptions);
        this.startTimeout = startTimeout;
    }

    /** The data-node id used in commit_log participants: "dn0", "dn1", ... */
    public String id() {
        return id;
    }

    public String host() {
        return HOST;
    }

    /** The TCP port; fixed by the first start and kept across restarts. */
    public synchronized int port() {
        return port;
    }

    /** An account with all privileges (replication, XA RECOVER, DDL) reachable over TCP. */
    public String user() {
        return USER;
    }

    public String password() {
        return PASSWORD;
    }

    public String jdbcUrl() {
        return "jdbc:mariadb://" + HOST + ":" + port() + "/";
    }

    public int serverId() {
        return serverId;
    }

    /** Equal to the server id, hence unique in the cluster and never the default domain 0. */
    public int gtidDomainId() {
        return serverId;
    }

    public Path dataDir() {
        return nodeDir.resolve("data");
    }

    /** The directory of the binlog files and their index, {@code mariadb-bin.*}. */
    public Path binlogDir() {
        return nodeDir.resolve("binlog");
    }

    public Path binlogIndex() {
        return binlogDir().resolve("mariadb-bin.index");
    }

    public Path errorLog() {
        return nodeDir.resolve("error.log");
    }

    public Path socket() {
        return nodeDir.resolve("mariadbd.sock");
    }

    /** A new connection as {@link #user()}; the caller closes it. */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), USER, PASSWORD);
    }

    /** The binlog files in index order, as the server lists them. */
    public List<Path> binlogFiles() {
        try {
            List<Path> files = new ArrayList<>();
            for (String line : Files.readAllLines(binlogIndex(), StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    files.add(dataDir().resolve(line.trim()));
                }
            }
            return files;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the binlog index of " + id + ": " + binlogIndex(), e);
        }
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** The server's process id, or -1 while stopped. */
    public synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    /** Starts the server and returns once it accepts connections. A running node is left as it is. */
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        try {
            Files.createDirectories(binlogDir());
            boolean portChosenHere = port == 0;
            for (int attempt = 1; ; attempt++) {
                if (portChosenHere) {
                    port = freePort();
                }
                long logStart = Files.exists(errorLog()) ? Files.size(errorLog()) : 0;
                process = new ProcessBuilder(command())
                        .redirectErrorStream(true)
                        .redirectOutput(Redirect.appendTo(nodeDir.resolve("stdout.log").toFile()))
                        .start();
                String failure = awaitReady(logStart);
                if (failure == null) {
                    return;
                }
                stopProcess(Duration.ZERO);
                // Another process may take the port between our probe and the server's bind: try another.
                if (portChosenHere && attempt < PORT_ATTEMPTS && failure.contains("Address already in use")) {
                    continue;
                }
                if (portChosenHere) {
                    port = 0;
                }
                throw new IllegalStateException(failure);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start data node " + id + " (" + binaries.mariadbd() + ")", e);
        }
    }

    /** Stops the server cleanly (SIGTERM, then SIGKILL if it has not exited after a minute). */
    public synchronized void stop() {
        stopProcess(STOP_TIMEOUT);
    }

    /** Kills the server with SIGKILL, as a crash would; {@link #start()} runs crash recovery. */
    public synchronized void kill() {
        stopProcess(Duration.ZERO);
    }

    /** Stops cleanly and starts again on the same port and data. */
    public synchronized void restart() {
        stop();
        start();
    }

    /** SIGTERM and up to {@code grace} to exit, then SIGKILL. Returns once the process is gone. */
    synchronized void stopProcess(Duration grace) {
        if (process == null) {
            return;
        }
        try {
            if (!grace.isZero()) {
                process.destroy();
                if (process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    process = null;
                    return;
                }
            }
            process.destroyForcibly();
            process.waitFor();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /**
     * Polls a connection until this node's server answers; null when ready, else why it is not. Another node of a
     * cluster starting in parallel can have probed the same free port and bound it first: then that server
     * answers here while ours fails to bind, so the answer counts only when it comes from our own socket.
     */
    private String awaitReady(long logStart) {
        long deadline = System.nanoTime() + startTimeout.toNanos();
        String url = "jdbc:mariadb://" + HOST + ":" + port + "/?connectTimeout=1000";
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return "data node " + id + " (" + binaries.mariadbd() + ", port " + port + ") exited with code "
                        + process.exitValue() + " while starting; the end of its error log " + errorLog() + ":\n"
                        + FileTrees.tail(errorLog(), logStart);
            }
            try (Connection c = DriverManager.getConnection(url, USER, PASSWORD);
                 Statement st = c.createStatement();
                 ResultSet rs = st.executeQuery("SELECT @@socket")) {
                rs.next();
                if (socket().toString().equals(rs.getString(1))) {
                    return null;
                }
                last = new SQLException("port " + port + " is answered by another server (socket " + rs.getString(1) + ")");
            } catch (SQLException e) {
                last = e;
            }
            try {
                process.waitFor(20, TimeUnit.MILLISECONDS); // returns early if the server dies
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted while waiting for data node " + id + " to start";
            }
        }
        return "data node " + id + " (port " + port + ") did not accept connections within " + startTimeout
                + " (last error: " + (last == null ? "none" : last.getMessage()) + "); the end of its error log "
                + errorLog() + ":\n" + FileTrees.tail(errorLog(), logStart);
    }

    private List<String> command() {
        List<String> command = new ArrayList<>(List.of(
                binaries.mariadbd().toString(),
                "--no-defaults",
                "--user=root",
                "--datadir=" + dataDir(),
                "--bind-address=" + HOST,
                "--port=" + port,
                "--socket=" + socket(),
                "--pid-file=" + nodeDir.resolve("mariadbd.pid"),
                "--log-error=" + errorLog(),
                "--server-id=" + serverId,
                "--gtid-domain-id=" + gtidDomainId(),
                "--log-bin=" + binlogDir().resolve("mariadb-bin"),
                "--log-bin-index=" + binlogIndex(),
                "--binlog-format=ROW",
                "--binlog-row-image=FULL",
                "--binlog-annotate-row-events=ON",
                "--skip-name-resolve",
                // Many small servers share two cores: small caches, no performance schema.
                "--performance-schema=OFF",
                "--innodb-log-buffer-size=2M",
                "--key-buffer-size=1M",
                "--aria-pagecache-buffer-size=8M",
                "--query-cache-size=0",
                "--table-open-cache=400",
                "--max-connections=500",
                "--innodb-use-native-aio=OFF",
                // A killed server loses nothing the OS has received; only a host crash would need fsyncs.
                "--innodb-flush-log-at-trx-commit=2",
                "--sync-binlog=0",
                "--innodb-lock-wait-timeout=5"));
        command.addAll(TemplateDataDir.STORAGE_OPTIONS);
        command.addAll(extraOptions);
        return command;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return socket.getLocalPort();
        }
    }

    @Override
    public String toString() {
        return id + "@" + HOST + ":" + port();
    }
}
