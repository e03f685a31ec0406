package io.gbinlog.integration.pipeline;

import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.integration.coordinator.Coordinator;
import io.gbinlog.meta.tso.TsoClient;
import io.gbinlog.integration.testing.TestTso;
import io.gbinlog.integration.workload.BankWorkload;
import io.gbinlog.integration.workload.Progress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The bank workload recorded on real data nodes for {@link io.gbinlog.merger.pipeline.Pipeline#replay}: every node's
 * binlog files written between two rotations, which hold exactly the workload (it starts and ends with no branch
 * prepared), copied aside; the cluster is gone afterwards.
 *
 * @param files    per data node, its copied files in order
 * @param startTso read before the files began: the replay's cut
 * @param endTso   read after the last commit, before the files ended: the replay's final probe
 */
record BankRecording(List<String> ids, List<List<Path>> files, long startTso, long endTso, Progress progress) {

    List<Path> allFiles() {
        return files.stream().flatMap(List::stream).toList();
    }

    /** Runs {@code transactions} bank transactions on {@code nodes} new data nodes; copies the files under {@code dir}. */
    static BankRecording record(Path dir, int nodes, int transactions, int threads) throws Exception {
        try (LocalCluster cluster = LocalCluster.start(nodes); TestTso tso = TestTso.start()) {
            Coordinator coordinator = Coordinator.builder().nodes(cluster.nodes()).tso(tso.clients())
                    .lockWaitTimeoutSeconds(1).build();
            try (BankWorkload bank = BankWorkload.builder(coordinator).threads(threads).accountsPerNode(1000)
                    .recordHistory(false).build()) {
                System.out.println("BankRecording seed=" + bank.seed() + " (rerun with -Dgbinlog.seed=" + bank.seed()
                        + ")");
                bank.setup();
                long startTso = next(tso);
                List<String> firstFiles = new ArrayList<>();
                for (DataNode node : cluster.nodes()) {
                    firstFiles.add(rotate(node));
                }
                bank.start(transactions);
                if (!bank.awaitTermination(Duration.ofMinutes(30))) {
                    throw new IllegalStateException("the workload did not finish within 30 minutes: "
                            + bank.progress());
                }
                Progress progress = bank.progress();
                if (progress.unknown() != 0) {
                    throw new IllegalStateException("transactions of unknown outcome: " + progress);
                }
                long endTso = next(tso);
                List<List<Path>> files = new ArrayList<>();
                for (int k = 0; k < nodes; k++) {
                    DataNode node = cluster.node(k);
                    String next = rotate(node);
                    Path copies = Files.createDirectories(dir.resolve(node.id()));
                    List<Path> copied = new ArrayList<>();
                    boolean in = false;
                    for (Path f : node.binlogFiles()) {
                        String name = f.getFileName().toString();
                        in = (in || name.equals(firstFiles.get(k))) && !name.equals(next);
                        if (in) {
                            copied.add(Files.copy(f, copies.resolve(name)));
                        }
                    }
                    files.add(copied);
                }
                return new BankRecording(cluster.nodeIds(), files, startTso, endTso, progress);
            }
        }
    }

    private static long next(TestTso tso) throws Exception {
        try (TsoClient client = tso.clients().get()) {
            return client.next();
        }
    }

    /** FLUSH BINARY LOGS; returns the new file's name. */
    private static String rotate(DataNode node) throws Exception {
        try (Connection c = node.connect(); Statement s = c.createStatement()) {
            s.execute("FLUSH BINARY LOGS");
            try (ResultSet r = s.executeQuery("SHOW MASTER STATUS")) {
                r.next();
                return r.getString(1);
            }
        }
    }
}
