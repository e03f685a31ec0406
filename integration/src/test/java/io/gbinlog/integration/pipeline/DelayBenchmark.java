package io.gbinlog.integration.pipeline;

import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.integration.coordinator.Coordinator;
import io.gbinlog.integration.testing.TestTso;
import io.gbinlog.integration.workload.BankWorkload;
import io.gbinlog.integration.workload.Progress;
import io.gbinlog.meta.tso.JdbcTsoClient;
import io.gbinlog.merger.pipeline.Pipeline;
import io.gbinlog.merger.pipeline.PipelineSettings;
import io.gbinlog.merger.pipeline.PipelineStats;
import org.HdrHistogram.Histogram;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Delay from the commit on a data node to the transaction being durable and visible in the global binlog (the
 * pipeline's own HdrHistogram, see {@link PipelineStats#delayMillis()}), under the bank workload on 4 live data nodes
 * at several loads: the first load (the most workload threads) is taken as what the data nodes can take, and the
 * row closest to half of it is the one the target speaks of. The pipeline runs with the configuration's defaults
 * (probes every 50 ms, group commit per batch with fsync). An idle stream holds the watermark until its next probe,
 * so the probe interval bounds the delay of a transaction that leaves some data nodes idle. Not a test: run it with
 * {@code mvn -B -pl integration -am -Pbench -DskipTests -Dbench.class=io.gbinlog.integration.pipeline.DelayBenchmark test}
 * (options: -Dbench.loads=8,4,2,1 workload threads per load, -Dbench.seconds=15 per load, -Dbench.probeMs=50).
 */
public final class DelayBenchmark {

    private static final int NODES = 4;
    private static final int[] LOADS = Arrays.stream(System.getProperty("bench.loads", "8,4,2,1").split(","))
            .mapToInt(s -> Integer.parseInt(s.trim())).toArray();
    private static final int SECONDS = Integer.getInteger("bench.seconds", 15);
    private static final int PROBE_MILLIS = Integer.getInteger("bench.probeMs", 50);

    private DelayBenchmark() {
    }

    private record Load(int threads, double committedPerSecond, Histogram delays) {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("gbinlog-delay-bench-");
        try (LocalCluster cluster = LocalCluster.start(NODES); TestTso tso = TestTso.start();
             JdbcTsoClient clock = new JdbcTsoClient(TestTso.HOST, tso.port(), TestTso.USER, TestTso.PASSWORD)) {
            Coordinator coordinator = Coordinator.builder().nodes(cluster.nodes()).tso(tso.clients())
                    .lockWaitTimeoutSeconds(1).build();
            BankWorkload.builder(coordinator).accountsPerNode(1000).build().setup();
            List<Load> loads = new ArrayList<>();
            try (Pipeline pipeline = Pipeline.start(settings(cluster, dir.resolve("storage"), tso))) {
                for (int threads : LOADS) {
                    awaitCaughtUp(pipeline, clock);
                    pipeline.stats(); // forget the delays recorded so far
                    try (BankWorkload bank = BankWorkload.builder(coordinator).threads(threads).accountsPerNode(1000)
                            .recordHistory(false).build()) {
                        bank.start();
                        // The measurement is this span of steady load; nothing is synchronised on it.
                        TimeUnit.SECONDS.sleep(SECONDS);
                        Histogram delays = pipeline.stats().delayMillis();
                        Progress p = bank.progress();
                        bank.stop();
                        Load load = new Load(threads, p.committed() * 1e9 / p.elapsed().toNanos(), delays);
                        loads.add(load);
                        System.out.printf("%d threads: %.0f committed txn/s, delay p50 %d ms, p99 %d ms, max %d ms"
                                        + " (%d transactions)%n", threads, load.committedPerSecond(),
                                delays.getValueAtPercentile(50), delays.getValueAtPercentile(99), delays.getMaxValue(),
                                delays.getTotalCount());
                    }
                }
                if (pipeline.failure() != null) {
                    throw new IllegalStateException("the pipeline failed", pipeline.failure());
                }
            }
            double capacity = loads.get(0).committedPerSecond();
            Load half = loads.stream().min(Comparator.comparingDouble(l -> Math.abs(l.committedPerSecond()
                    - capacity / 2))).orElseThrow();
            System.out.printf("%n%-10s %14s %8s %8s %8s %8s%n", "threads", "committed/s", "load", "p50 ms", "p99 ms",
                    "max ms");
            for (Load l : loads) {
                System.out.printf("%-10s %14.0f %7.0f%% %8d %8d %8d%n", l.threads() + (l == half ? " (half)" : ""),
                        l.committedPerSecond(), 100 * l.committedPerSecond() / capacity,
                        l.delays().getValueAtPercentile(50), l.delays().getValueAtPercentile(99),
                        l.delays().getMaxValue());
            }
            System.out.printf("probes every %d ms; targets at half of the data nodes' capacity: p50 < 5 ms, p99 < 50 ms%n",
                    PROBE_MILLIS);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void awaitCaughtUp(Pipeline pipeline, JdbcTsoClient clock) throws Exception {
        if (!pipeline.awaitDurable(clock.next(), Duration.ofMinutes(2))) {
            throw new IllegalStateException("the pipeline did not catch up within 2 minutes: " + pipeline.stats());
        }
    }

    /** The configuration's defaults: 4096-event rings, fsync per batch, checkpoints at least every second. */
    private static PipelineSettings settings(LocalCluster cluster, Path storage, TestTso tso) {
        return PipelineSettings.builder(PipelineTesting.configs(cluster.nodes()), storage,
                        () -> new JdbcTsoClient(TestTso.HOST, tso.port(), TestTso.USER, TestTso.PASSWORD))
                .probeInterval(Duration.ofMillis(PROBE_MILLIS)).build();
    }
}
