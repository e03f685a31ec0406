package io.gbinlog.integration.pipeline;

import com.github.shyiko.mysql.binlog.BinaryLogFileReader;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.deserialization.ByteArrayEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import io.gbinlog.meta.tso.TsoClient;
import io.gbinlog.meta.config.GbinlogConfig;
import io.gbinlog.merger.pipeline.Pipeline;
import io.gbinlog.merger.pipeline.PipelineSettings;
import io.gbinlog.merger.pipeline.PipelineStats;
import io.gbinlog.merger.writer.FsyncPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.function.Supplier;

/**
 * Throughput of the pipeline (file capture, merge, write) over recorded data-node binlogs, beside the parse speed of
 * mysql-binlog-connector-java on the same files (row events kept as bytes), in the same run on the same machine.
 * It records the bank workload on 4 data nodes, then replays the 4 recorded streams through the real collector file
 * capture, merger and writer as fast as they go, with the writer's fsync on and off. Every figure is the best of
 * {@code bench.rounds}. Not a test: run it with
 * {@code mvn -B -pl integration -am -Pbench -DskipTests -Dbench.class=io.gbinlog.integration.pipeline.PipelineBenchmark test}
 * (options: -Dbench.transactions=200000 -Dbench.threads=8 -Dbench.rounds=3, and -Dbench.recording=DIR to keep the
 * recording in DIR and replay it again on the next run instead of recording anew).
 */
public final class PipelineBenchmark {

    private static final int NODES = 4;
    private static final int TRANSACTIONS = Integer.getInteger("bench.transactions", 200_000);
    private static final int THREADS = Integer.getInteger("bench.threads", 8);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);
    private static final String RECORDING = System.getProperty("bench.recording", "");

    private PipelineBenchmark() {
    }

    private record Rate(long events, long bytes, double seconds) {
        double eventsPerSecond() {
            return events / seconds;
        }

        double megabytesPerSecond() {
            return bytes / 1e6 / seconds;
        }

        Rate best(Rate other) {
            return other == null || seconds < other.seconds ? this : other;
        }
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("gbinlog-pipeline-bench-");
        try {
            BankRecording recording = recording(dir);
            List<Path> files = recording.allFiles();
            long bytes = 0;
            for (Path f : files) {
                bytes += Files.size(f);
            }
            System.out.printf("recorded %d data-node binlog files, %.1f MB: %s%n", files.size(), bytes / 1e6,
                    recording.progress());

            // One untimed pass of each warms the JIT; then every round runs all three in turn, so that a burst of load
            // from elsewhere on the machine weighs on one round of each rather than on all rounds of one.
            long events = parse(files).events();
            replay(recording, dir.resolve("warm-up"), FsyncPolicy.NEVER);
            delete(dir.resolve("warm-up"));
            long expected = recording.progress().committed();
            String check = "not run";
            Rate parse = null;
            Rate[] pipeline = new Rate[2];
            FsyncPolicy[] policies = {FsyncPolicy.ON_FLUSH, FsyncPolicy.NEVER};
            for (int round = 1; round <= ROUNDS; round++) {
                Rate parsed = parse(files);
                System.out.printf("round %d, parse: %.2f s%n", round, parsed.seconds());
                parse = parsed.best(parse);
                for (int p = 0; p < policies.length; p++) {
                    Path storage = dir.resolve("global-" + round + "-" + policies[p]);
                    long start = System.nanoTime();
                    PipelineStats stats = replay(recording, storage, policies[p]);
                    Rate r = new Rate(events, bytes, (System.nanoTime() - start) / 1e9);
                    System.out.printf("round %d, pipeline, fsync %s: %.2f s, %d global transactions, %.1f MB written%n",
                            round, policies[p], r.seconds(), stats.transactions(), globalBytes(storage) / 1e6);
                    if (round == 1 && p == 0) {
                        check = stats.transactions() == expected ? "OK: " + expected + " global transactions = "
                                + expected + " committed" : "FAILED: " + stats.transactions()
                                + " global transactions but " + expected + " committed";
                    }
                    pipeline[p] = r.best(pipeline[p]);
                    delete(storage);
                }
            }

            System.out.printf("%nbest of %d, %d events, %.1f MB of data-node binlogs (%d streams):%n", ROUNDS, events,
                    bytes / 1e6, NODES);
            System.out.printf("%-50s %12s %9s %9s%n", "", "events/s", "MB/s", "ratio");
            print("mysql-binlog-connector-java parse only", parse, parse);
            print("pipeline: capture, merge, write (fsync " + policies[0] + ")", pipeline[0], parse);
            print("pipeline: capture, merge, write (fsync " + policies[1] + ")", pipeline[1], parse);
            System.out.println("targets: >= 1,000,000 events/s, >= 200 MB/s, ratio >= 0.8");
            System.out.println("correctness: " + check);
        } finally {
            delete(dir);
        }
    }

    private static PipelineStats replay(BankRecording recording, Path storage, FsyncPolicy fsync) throws Exception {
        return Pipeline.replay(settings(recording.ids(), storage, fsync), recording.files(), recording.startTso(),
                recording.endTso(), Duration.ofMinutes(30));
    }

    private static BankRecording recording(Path dir) throws Exception {
        if (RECORDING.isEmpty()) {
            return BankRecording.record(dir.resolve("recorded"), NODES, TRANSACTIONS, THREADS);
        }
        Path kept = Path.of(RECORDING).toAbsolutePath();
        BankRecording loaded = BankRecording.load(kept);
        if (loaded != null) {
            System.out.println("replaying the recording kept in " + kept);
            return loaded;
        }
        BankRecording recorded = BankRecording.record(kept, NODES, TRANSACTIONS, THREADS);
        recorded.save(kept);
        return recorded;
    }

    private static void print(String name, Rate r, Rate parse) {
        System.out.printf("%-50s %,12.0f %9.1f %9.2f%n", name, r.eventsPerSecond(), r.megabytesPerSecond(),
                r.eventsPerSecond() / parse.eventsPerSecond());
    }

    /** Every file read in turn by one thread, with row events, table maps and statement text kept as bytes. */
    private static Rate parse(List<Path> files) throws Exception {
        long events = 0;
        long bytes = 0;
        long start = System.nanoTime();
        for (Path file : files) {
            EventDeserializer deserializer = new EventDeserializer();
            ByteArrayEventDataDeserializer raw = new ByteArrayEventDataDeserializer();
            for (EventType type : List.of(EventType.TABLE_MAP, EventType.WRITE_ROWS, EventType.UPDATE_ROWS,
                    EventType.DELETE_ROWS, EventType.EXT_WRITE_ROWS, EventType.EXT_UPDATE_ROWS,
                    EventType.EXT_DELETE_ROWS, EventType.ANNOTATE_ROWS, EventType.ROWS_QUERY)) {
                deserializer.setEventDataDeserializer(type, raw);
            }
            try (BinaryLogFileReader reader = new BinaryLogFileReader(file.toFile(), deserializer)) {
                for (Event e = reader.readEvent(); e != null; e = reader.readEvent()) {
                    events++;
                }
            }
            bytes += Files.size(file);
        }
        return new Rate(events, bytes, (System.nanoTime() - start) / 1e9);
    }

    /** The replay's settings: only the data-node ids are used; nothing connects to a node or a TSO. */
    private static PipelineSettings settings(List<String> ids, Path storage, FsyncPolicy fsync) {
        Supplier<TsoClient> noTso = () -> {
            throw new IllegalStateException("a replay reads no TSO");
        };
        return PipelineSettings.builder(ids.stream().map(id -> new GbinlogConfig.DataNode(id, "127.0.0.1", 0, "", ""))
                .toList(), storage, noTso).fsync(fsync).build();
    }

    private static long globalBytes(Path storage) throws Exception {
        try (var files = Files.list(storage.resolve("binlog"))) {
            long total = 0;
            for (Path f : (Iterable<Path>) files::iterator) {
                if (f.getFileName().toString().matches("binlog\\.\\d+")) {
                    total += Files.size(f);
                }
            }
            return total;
        }
    }

    private static void delete(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return;
        }
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
