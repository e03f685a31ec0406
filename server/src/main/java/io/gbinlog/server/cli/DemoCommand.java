package io.gbinlog.server.cli;

import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.integration.coordinator.Coordinator;
import io.gbinlog.integration.coordinator.JdbcTsoClient;
import io.gbinlog.integration.workload.BankWorkload;
import io.gbinlog.integration.workload.Progress;
import io.gbinlog.meta.tso.TsoAllocator;
import io.gbinlog.meta.tso.TsoServer;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Everything on one machine, with nothing to configure: local MariaDB data nodes, the TSO and a bank
 * workload of distributed transactions, with live progress. Ctrl-C stops it all and removes the data nodes.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Start local MariaDB data nodes, the TSO and a bank workload of distributed",
                "transactions, and show live progress. Ctrl-C stops everything cleanly."})
final class DemoCommand implements Callable<Integer> {
    private static final String USER = "gbinlog";
    private static final String PASSWORD = "gbinlog";

    @Option(names = "--nodes", defaultValue = "3", description = "data nodes to start (default: ${DEFAULT-VALUE})")
    int nodes;

    @Option(names = "--threads", defaultValue = "4", description = "workload threads (default: ${DEFAULT-VALUE})")
    int threads;

    @Option(names = "--seed", description = "workload seed (default: random; printed)")
    Long seed;

    @Option(names = "--seconds", defaultValue = "0", description = "stop after this many seconds (default: run until Ctrl-C)")
    long seconds;

    @Override
    public Integer call() throws Exception {
        if (nodes < 2) {
            throw new picocli.CommandLine.ParameterException(new picocli.CommandLine(this),
                    "--nodes must be at least 2: distributed transactions need two data nodes");
        }
        PrintStream out = System.out;
        Shutdown.onSignal();
        out.printf("Starting %d MariaDB data nodes ...%n", nodes);
        try (LocalCluster cluster = LocalCluster.start(nodes);
             TsoAllocator allocator = TsoAllocator.open(cluster.directory().resolve("tso.lease"));
             TsoServer tso = TsoServer.start(allocator, "127.0.0.1", 0, Map.of(USER, PASSWORD))) {
            for (DataNode dn : cluster.nodes()) {
                out.printf("  %s  127.0.0.1:%d  binlog %s%n", dn.id(), dn.port(), dn.binlogDir());
            }
            out.printf("TSO on 127.0.0.1:%d (user %s, password %s): SELECT TSO_TIMESTAMP()%n", tso.port(), USER, PASSWORD);
            out.printf("While it runs: mariadb-binlog -v %s/mariadb-bin.000001 shows dn0's XA branches and commit_log rows%n",
                    cluster.node(0).binlogDir());

            Coordinator coordinator = Coordinator.builder()
                    .nodes(cluster.nodes())
                    .tso(JdbcTsoClient.factory("127.0.0.1", tso.port(), USER, PASSWORD))
                    .build();
            BankWorkload.Builder bankBuilder = BankWorkload.builder(coordinator).threads(threads);
            if (seed != null) {
                bankBuilder.seed(seed);
            }
            BankWorkload bank = bankBuilder.build();
            bank.setup();
            out.printf("Bank workload: %d threads, seed %d, total money %d. Ctrl-C stops.%n",
                    threads, bank.seed(), bank.expectedTotal());
            bank.start();
            try {
                showProgress(out, bank);
            } finally {
                bank.stop();
            }
            Progress done = bank.progress();
            long total = bank.totalBalance();
            out.printf("Stopped: %s%n", done);
            out.printf("Bank total %d, expected %d: %s%n", total, bank.expectedTotal(),
                    total == bank.expectedTotal() ? "unchanged" : "CHANGED");
            return total == bank.expectedTotal() ? 0 : 1;
        }
    }

    private void showProgress(PrintStream out, BankWorkload bank) throws InterruptedException {
        long deadline = seconds > 0 ? System.nanoTime() + seconds * 1_000_000_000L : Long.MAX_VALUE;
        Progress previous = bank.progress();
        while (!Shutdown.requested() && System.nanoTime() < deadline) {
            Shutdown.await(1);
            Progress now = bank.progress();
            out.printf("%5ds  %6.0f txn/s  committed %d (distributed %d, local %d)  rolled back %d  refused %d%n",
                    now.elapsed().toSeconds(), now.txnPerSecondSince(previous), now.committed(),
                    now.distributedCommitted(), now.localCommitted(), now.rolledBack(), now.aborted());
            previous = now;
        }
    }
}
