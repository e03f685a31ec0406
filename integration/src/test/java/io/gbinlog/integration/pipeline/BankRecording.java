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
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

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

    /** Writes what {@link #load} needs beside the copied files, so that a benchmark can replay them again. */
    void save(Path dir) throws Exception {
        Properties p = new Properties();
        p.setProperty("ids", String.join(",", ids));
        for (int k = 0; k < ids.size(); k++) {
            p.setProperty("files." + k, String.join(",", files.get(k).stream()
                    .map(f -> dir.relativize(f).toString()).toList()));
        }
        p.setProperty("startTso", Long.toString(startTso));
        p.setProperty("endTso", Long.toString(endTso));
        p.setProperty("progress", progress.distributedCommitted() + "," + progress.localCommitted() + ","
                + progress.rolledBack() + "," + progress.aborted() + "," + progress.conflicts() + ","
                + progress.unknown() + "," + progress.elapsed().toMillis());
        try (var out = Files.newBufferedWriter(dir.resolve(SAVED))) {
            p.store(out, "a recorded bank workload");
        }
    }

    /** The recording {@link #save} left under {@code dir}, or null when there is none. */
    static BankRecording load(Path dir) throws Exception {
        if (!Files.exists(dir.resolve(SAVED))) {
            return null;
        }
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(dir.resolve(SAVED))) {
            p.load(in);
        }
        List<String> ids = List.of(p.getProperty("ids").split(","));
        List<List<Path>> files = new ArrayList<>();
        for (int k = 0; k < ids.size(); k++) {
            files.add(Arrays.stream(p.getProperty("files." + k).split(",")).map(dir::resolve).toList());
        }
        long[] c = Arrays.stream(p.getProperty("progress").split(",")).mapToLong(Long::parseLong).toArray();
        return new BankRecording(ids, files, Long.parseLong(p.getProperty("startTso")),
                Long.parseLong(p.getProperty("endTso")),
                new Progress(c[0], c[1], c[2], c[3], c[4], c[5], Duration.ofMillis(c[6])));
    }

    private static final String SAVED = "recording.properties";

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
