package io.gbinlog.server.cli;

import io.gbinlog.dumper.server.Dumper;
import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.integration.coordinator.Coordinator;
import io.gbinlog.meta.tso.JdbcTsoClient;
import io.gbinlog.integration.workload.BankWorkload;
import io.gbinlog.integration.workload.Progress;
import io.gbinlog.meta.config.ConfigException;
import io.gbinlog.meta.config.GbinlogConfig;
import io.gbinlog.meta.config.HostPort;
import io.gbinlog.meta.tso.TsoAllocator;
import io.gbinlog.meta.tso.TsoServer;
import io.gbinlog.merger.pipeline.Pipeline;
import io.gbinlog.merger.pipeline.PipelineSettings;
import io.gbinlog.merger.pipeline.PipelineStats;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * Everything on one machine, with nothing to configure: local MariaDB data nodes, the TSO, the pipeline writing the
 * global binlog, the dumper serving it to replicas on a free port, and a bank workload of distributed transactions, with live progress. Ctrl-C stops the workload, lets
 * the global binlog catch up, and removes the data nodes; the global binlog stays in {@code --dir} to be read.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        header = "Everything on this machine: local data nodes, the TSO, gbinlog and a bank workload.",
        description = {"Start local MariaDB data nodes, the TSO, gbinlog's pipeline and a bank workload of",
                "distributed transactions, and show live progress. Ctrl-C stops everything cleanly; the",
                "global binlog stays in --dir."})
final class DemoCommand implements Callable<Integer> {
    private static final String USER = "gbinlog";
    private static final String PASSWORD = "gbinlog";
    /** What a demo's storage directory holds; anything else there means --dir is not a previous demo's. */
    private static final Set<String> DEMO_FILES = Set.of("binlog", "checkpoint.json", "checkpoint.json.tmp",
            "server-uuid", "server-uuid.tmp", "pipeline.lock");

    @Option(names = "--nodes", defaultValue = "3", description = "data nodes to start (default: ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--threads", defaultValue = "4", description = "workload threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--seed", description = "workload seed (default: random; printed)")
    Long seed;

    @Option(names = "--seconds", defaultValue = "0", description = "stop after this many seconds (default: run until Ctrl-C)")
    long seconds;

    @Option(names = "--dir", defaultValue = "gbinlog-demo", paramLabel = "DIR",
            description = "where the global binlog is written and kept (default: ./${DEFAULT-VALUE}; a previous"
                    + " demo's is replaced)")
    Path dir;

    @Override
    public Integer call() throws Exception {
        if (nodes < 2) {
            throw new ParameterException(new picocli.CommandLine(this),
                    "--nodes must be at least 2: distributed transactions need two data nodes");
        }
        PrintStream out = System.out;
        Path storage = dir.toAbsolutePath().normalize();
        clearPreviousDemo(storage);
        Shutdown.onSignal();
        out.printf("Starting %d MariaDB data nodes ...%n", nodes);
        try (LocalCluster cluster = LocalCluster.start(nodes);
             TsoAllocator allocator = TsoAllocator.open(cluster.directory().resolve("tso.lease"));
             TsoServer tso = TsoServer.start(allocator, "127.0.0.1", 0, Map.of(USER, PASSWORD))) {
            for (DataNode dn : cluster.nodes()) {
                out.printf("  %s  127.0.0.1:%d  binlog %s%n", dn.id(), dn.port(), dn.binlogDir());
            }
            out.printf("TSO on 127.0.0.1:%d (user %s, password %s): SELECT TSO_TIMESTAMP()%n", tso.port(), USER, PASSWORD);

            Coordinator coordinator = Coordinator.builder()
                    .nodes(cluster.nodes())
                    .tso(JdbcTsoClient.factory("127.0.0.1", tso.port(), USER, PASSWORD))
                    .build();
            BankWorkload.Builder bankBuilder = BankWorkload.builder(coordinator).threads(threads).recordHistory(false);
            if (seed != null) {
                bankBuilder.seed(seed);
            }
            BankWorkload bank = bankBuilder.build();
            bank.setup();

            List<GbinlogConfig.DataNode> dataNodes = cluster.nodes().stream()
                    .map(n -> new GbinlogConfig.DataNode(n.id(), n.host(), n.port(), n.user(), n.password())).toList();
            PipelineSettings settings = PipelineSettings.builder(dataNodes, storage, () -> allocator::next)
                    .maxFileSize(64L << 20).build();
            Path first = storage.resolve("binlog").resolve("binlog.000001");
            int code;
            try (Pipeline pipeline = Pipeline.start(settings);
                 Dumper dumper = Dumper.start(pipeline.globalBinlog(), HostPort.parse("127.0.0.1:0"),
                         Map.of(USER, PASSWORD))) {
                out.printf("Global binlog in %s (the bank was created before it began)%n", storage.resolve("binlog"));
                printDumper(out, dumper.port());
                out.printf("Bank workload: %d threads, seed %d, total money %d. Ctrl-C stops.%n",
                        threads, bank.seed(), bank.expectedTotal());
                bank.start();
                try {
                    showProgress(out, bank, pipeline);
                } finally {
                    bank.stop();
                }
                Progress done = bank.progress();
                long total = bank.totalBalance();
                out.printf("Stopped the workload: %s%n", done);
                out.printf("Bank total %d, expected %d: %s%n", total, bank.expectedTotal(),
                        total == bank.expectedTotal() ? "unchanged" : "CHANGED");
                boolean caughtUp = pipeline.awaitDurable(allocator.next(), Duration.ofSeconds(30));
                PipelineStats stats = pipeline.stats();
                out.printf("Global binlog: %d transactions (GTIDs 1-%d) up to %s%s%n", stats.transactions(),
                        stats.lastGno(), stats.binlogEnd(), caughtUp ? "" : "; it had NOT caught up after 30 s");
                code = total == bank.expectedTotal() && caughtUp && pipeline.failure() == null ? 0 : 1;
            }
            out.printf("Read it with:%n  mariadb-binlog -v %s%n", first);
            return code;
        }
    }

    private void showProgress(PrintStream out, BankWorkload bank, Pipeline pipeline) throws InterruptedException {
        long deadline = seconds > 0 ? System.nanoTime() + seconds * 1_000_000_000L : Long.MAX_VALUE;
        Progress previous = bank.progress();
        ProgressLine line = new ProgressLine();
        while (!Shutdown.requested() && System.nanoTime() < deadline && pipeline.failure() == null) {
            Shutdown.await(1);
            Progress now = bank.progress();
            out.printf("%5ds  workload %5.0f txn/s (committed %d, rolled back %d)  %s%n", now.elapsed().toSeconds(),
                    now.txnPerSecondSince(previous), now.committed(), now.rolledBack(), line.next(pipeline.stats()));
            previous = now;
        }
        if (pipeline.failure() != null) {
            out.printf("gbinlog stopped: %s%n", pipeline.failure());
        }
    }

    private static void printDumper(PrintStream out, int port) {
        out.printf("Dumper on 127.0.0.1:%d (user %s, password %s). Follow it with:%n", port, USER, PASSWORD);
        out.printf("  mariadb-binlog -v --read-from-remote-server --host=127.0.0.1 --port=%d --user=%s --password=%s"
                + " --stop-never binlog.000001%n", port, USER, PASSWORD);
        out.printf("  or, on a MariaDB replica that has the bank tables: CHANGE MASTER TO MASTER_HOST='127.0.0.1',"
                + " MASTER_PORT=%d, MASTER_USER='%s', MASTER_PASSWORD='%s', MASTER_LOG_FILE='binlog.000001',"
                + " MASTER_LOG_POS=4, MASTER_USE_GTID=no; START SLAVE;%n", port, USER, PASSWORD);
    }

    /** The demo starts a new cluster, so a previous demo's global binlog cannot be continued: it is replaced. */
    private static void clearPreviousDemo(Path storage) throws IOException {
        if (!Files.isDirectory(storage)) {
            return;
        }
        List<Path> entries;
        try (Stream<Path> list = Files.list(storage)) {
            entries = list.toList();
        }
        for (Path p : entries) {
            if (!DEMO_FILES.contains(p.getFileName().toString())) {
                throw new ConfigException("--dir " + storage + " holds " + p.getFileName()
                        + ", so it is not a previous demo's directory; choose another");
            }
        }
        if (!entries.isEmpty()) {
            System.out.printf("Replacing the previous demo's global binlog in %s%n", storage);
        }
        try (Stream<Path> tree = Files.walk(storage)) {
            for (Path p : tree.sorted(Comparator.reverseOrder()).toList()) {
                if (!p.equals(storage)) {
                    Files.delete(p);
                }
            }
        }
    }
}
