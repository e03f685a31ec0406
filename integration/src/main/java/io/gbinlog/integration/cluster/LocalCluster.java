package io.gbinlog.integration.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * N MariaDB data nodes on this machine, each from a copy of a cached template data directory, started in
 * parallel. Everything lives in one temporary directory that {@link #close()} deletes after stopping
 * every server; a shutdown hook does the same when the JVM exits without closing, and the next cluster
 * started on this machine removes what a killed JVM left behind.
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.start(3)) {
 *     try (Connection c = cluster.node("dn1").connect()) { ... }
 * }
 * }</pre>
 */
public final class LocalCluster implements AutoCloseable {

    static final String DIR_PREFIX = "gbinlog-cluster-";
    static final String OWNER_FILE = "owner.pid";

    private final Path root;
    private final List<DataNode> nodes;
    private final Thread shutdownHook;
    private boolean closed;

    private LocalCluster(Path root, List<DataNode> nodes) {
        this.root = root;
        this.nodes = List.copyOf(nodes);
        this.shutdownHook = new Thread(this::stopAndDelete, "gbinlog-local-cluster-shutdown");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts {@code n} data nodes with the default settings. */
    public static LocalCluster start(int n) {
        return builder().nodes(n).start();
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<DataNode> nodes() {
        return nodes;
    }

    public DataNode node(int index) {
        return nodes.get(index);
    }

    public DataNode node(String id) {
        for (DataNode node : nodes) {
            if (node.id().equals(id)) {
                return node;
            }
        }
        throw new IllegalArgumentException("no data node '" + id + "' in this cluster; nodes: " + nodeIds());
    }

    public List<String> nodeIds() {
        return nodes.stream().map(DataNode::id).toList();
    }

    /** The directory holding every node's data, binlogs and logs. */
    public Path directory() {
        return root;
    }

    /** Stops every server (SIGTERM, SIGKILL after a timeout) and deletes the cluster directory. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException jvmAlreadyShuttingDown) {
            // the hook runs (or ran) stopAndDelete itself
        }
        stopAndDelete();
    }

    private synchronized void stopAndDelete() {
        if (closed) {
            return;
        }
        closed = true;
        stopAll(nodes);
        try {
            FileTrees.delete(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete the local cluster directory " + root, e);
        }
    }

    /** Stops nodes in parallel: each gets the same grace period instead of one after the other. */
    private static void stopAll(List<DataNode> nodes) {
        List<CompletableFuture<Void>> stops = new ArrayList<>();
        for (DataNode node : nodes) {
            stops.add(CompletableFuture.runAsync(node::stop));
        }
        for (CompletableFuture<Void> stop : stops) {
            stop.join();
        }
    }

    public static final class Builder {
        private int nodes = 3;
        private Path baseDir = Path.of(System.getProperty("java.io.tmpdir"));
        private final List<String> serverOptions = new ArrayList<>();
        private Duration startTimeout = Duration.ofSeconds(60);

        private Builder() {
        }

        /** How many data nodes, named dn0 .. dn(n-1). Default 3. */
        public Builder nodes(int n) {
            if (n < 1 || n > 64) {
                throw new IllegalArgumentException("nodes must be between 1 and 64, got " + n);
            }
            this.nodes = n;
            return this;
        }

        /** Where the cluster's temporary directory is created. Default {@code java.io.tmpdir}. */
        public Builder baseDir(Path dir) {
            this.baseDir = dir;
            return this;
        }

        /** An extra mariadbd option for every node, e.g. {@code --max-binlog-size=1M}. */
        public Builder serverOption(String option) {
            if (!option.startsWith("--")) {
                throw new IllegalArgumentException("server option must start with '--': " + option);
            }
            serverOptions.add(option);
            return this;
        }

        /** How long one node may take to accept connections. Default 60 s. */
        public Builder startTimeout(Duration timeout) {
            this.startTimeout = timeout;
            return this;
        }

        public LocalCluster start() {
            MariaDbBinaries binaries = MariaDbBinaries.locate();
            StaleClusters.sweep(baseDir);
            Path template = TemplateDataDir.obtain(binaries);
            Path root;
            try {
                Files.createDirectories(baseDir);
                root = Files.createTempDirectory(baseDir, DIR_PREFIX);
                Files.writeString(root.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a local cluster directory under " + baseDir, e);
            }
            List<DataNode> created = new ArrayList<>();
            for (int i = 0; i < nodes; i++) {
                Path nodeDir = root.resolve("dn" + i);
                checkSocketPathLength(nodeDir.resolve("mariadbd.sock"));
                created.add(new DataNode("dn" + i, i + 1, nodeDir, binaries, serverOptions, startTimeout));
            }
            LocalCluster cluster = new LocalCluster(root, created);
            ExecutorService starter = Executors.newFixedThreadPool(Math.min(nodes, 8));
            try {
                List<Future<?>> starts = new ArrayList<>();
                for (DataNode node : created) {
                    starts.add(starter.submit(() -> {
                        TemplateDataDir.copyTo(template, node.dataDir());
                        node.start();
                        return null;
                    }));
                }
                for (Future<?> start : starts) {
                    start.get();
                }
                return cluster;
            } catch (ExecutionException e) {
                cluster.close();
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                throw new IllegalStateException("cannot start the local cluster: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                cluster.close();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting the local cluster", e);
            } finally {
                starter.shutdownNow();
            }
        }

        private static void checkSocketPathLength(Path socket) {
            // sun_path holds 108 bytes; mariadbd refuses longer socket paths with an obscure message.
            if (socket.toString().length() > 100) {
                throw new IllegalArgumentException("baseDir is too deep for a Unix socket path ("
                        + socket + " is longer than 100 characters); choose a shorter baseDir");
            }
        }
    }
}
