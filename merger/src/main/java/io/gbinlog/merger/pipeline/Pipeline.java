package io.gbinlog.merger.pipeline;

import com.lmax.disruptor.BatchEventProcessor;
import com.lmax.disruptor.BatchEventProcessorBuilder;
import com.lmax.disruptor.LiteBlockingWaitStrategy;
import com.lmax.disruptor.ExceptionHandler;
import com.lmax.disruptor.RingBuffer;
import io.gbinlog.collector.capture.BinlogCoordinates;
import io.gbinlog.collector.capture.SpillDirectory;
import io.gbinlog.collector.node.DataNodes;
import io.gbinlog.collector.node.NodeSettings;
import io.gbinlog.collector.node.SettingsCheck;
import io.gbinlog.collector.node.FirstStart;
import io.gbinlog.collector.ordering.StreamCheckpoint;
import io.gbinlog.collector.probe.Prober;
import io.gbinlog.meta.schema.SchemaException;
import io.gbinlog.meta.schema.SchemaHistory;
import io.gbinlog.meta.schema.SchemaSnapshot;
import io.gbinlog.meta.tso.TsoClient;
import io.gbinlog.collector.source.BinlogFileCollector;
import io.gbinlog.collector.source.ReplicaCollector;
import io.gbinlog.meta.config.GbinlogConfig.DataNode;
import io.gbinlog.merger.checkpoint.Checkpoint;
import io.gbinlog.merger.checkpoint.CheckpointFile;
import io.gbinlog.merger.merge.CommitDecision;
import io.gbinlog.merger.logical.LogicalTables;
import io.gbinlog.merger.merge.EngineCheckpoint;
import io.gbinlog.merger.writer.BinlogLogConfig;
import io.gbinlog.merger.writer.GlobalBinlog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The global binlog pipeline: one collector per data node, each publishing into its own ring; the merger thread
 * polling every ring into one {@link io.gbinlog.merger.merge.TransactionMerger}; the writer thread appending what
 * it emits to the {@link GlobalBinlog} and writing checkpoints. Every ring is bounded: a slow writer holds the merger,
 * which holds the collectors, which stop reading their data nodes.
 *
 * <pre>{@code
 * try (Pipeline pipeline = Pipeline.start(PipelineSettings.of(config, tso))) {
 *     dumper.serve(pipeline.globalBinlog());   // readers see only what a checkpoint covers
 *     pipeline.awaitFailure(...);
 * }
 * }</pre>
 *
 * <p><b>Start.</b> With an empty storage directory the pipeline takes the first start ({@link FirstStart}) and
 * persists it as the engine's first checkpoint; the global binlog holds the transactions ordered after its cut.
 * Otherwise it cuts the global binlog back to what {@code checkpoint.json} covers and resumes the engine from it: the
 * engine hands over exactly what follows. Readers never see past the last checkpoint, so nothing they saw is
 * written again.
 *
 * <p><b>Stop.</b> {@link #close()} stops the collectors, lets the merger and the writer finish what they hold, and
 * writes a final checkpoint. After a failure ({@link #failure()}) nothing more is written; closing releases
 * everything, and the next start resumes from the last checkpoint.
 *
 * <p><b>Delay</b> ({@link PipelineStats#delayMillis()}) runs from the commit on the data node to the transaction
 * being durable in the global binlog: for a distributed transaction the commit time is the milliseconds of its cts,
 * for a local one the moment its collector received it (binlog event timestamps have only seconds).
 */
public final class Pipeline implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Pipeline.class);
    /**
     * Transactions between the merger and the writer: room for what the merger hands over while the writer waits on
     * a batch's fsyncs (1024 held the merger back: fsync-per-batch replay 0.53-0.65 of parse speed against 0.59-0.82).
     */
    private static final int WRITER_RING_SIZE = 4096;
    private static final int INDEX_INTERVAL_BYTES = 4096;
    /** Heartbeats release the probes of an idle stream; they must come well within the collector's read timeout. */
    private static final Duration MAX_HEARTBEAT = Duration.ofSeconds(1);
    /**
     * A probe of an idle stream waits for the next heartbeat: at one per probe interval, that wait adds up to a whole
     * interval to the delay of a transaction held by an idle data node. A tenth of it keeps the wait short; an idle
     * data node sends a few hundred tiny events a second at most, a busy one none.
     */
    private static final int HEARTBEATS_PER_PROBE = 10;
    private static final Duration MIN_HEARTBEAT = Duration.ofMillis(1);

    private final PipelineSettings settings;
    private final StorageDir storage;
    /** Emptied at start: a spilled transaction of an earlier run is read again from its data node. */
    private final SpillDirectory spill;
    private final GlobalBinlog binlog;
    /** The logical schema at every cts: the writer follows DDL into it, the dumper answers from it. */
    private final SchemaHistory history;
    private final Failure failure;
    private final Wakeup wakeup = new Wakeup();
    private final List<ReplicaCollector> collectors = new ArrayList<>();
    private final List<Prober> probers = new ArrayList<>();
    private final List<Thread> fileReaders = new ArrayList<>();
    private CollectorRing[] rings = new CollectorRing[0];
    private HoldupWatch watch;
    private MergeLoop mergeLoop;
    private Thread mergeThread;
    private RingBuffer<OutputEvent> output;
    private BinlogWriter writer;
    private TransactionAppender appender;
    private BatchEventProcessor<OutputEvent> writerProcessor;
    private Thread writerThread;
    private boolean closed;

    private Pipeline(PipelineSettings settings, StorageDir storage, GlobalBinlog binlog, SchemaHistory history,
                     SpillDirectory spill) {
        this.settings = settings;
        this.storage = storage;
        this.binlog = binlog;
        this.history = history;
        this.spill = spill;
        this.failure = new Failure(this::releaseWaiters);
    }

    /**
     * Starts the pipeline: checks every data node's settings, takes the first start or resumes from the checkpoint,
     * and starts the threads.
     *
     * @throws io.gbinlog.collector.node.SettingsException when data nodes are not set up as gbinlog needs
     * @throws IllegalStateException when the storage directory cannot be resumed from (its message says why)
     */
    public static Pipeline start(PipelineSettings settings) throws IOException, SQLException {
        StorageDir storage = StorageDir.open(settings.storageDir());
        GlobalBinlog binlog = null;
        SchemaHistory history = null;
        Pipeline pipeline = null;
        try {
            BinlogLogConfig config = new BinlogLogConfig(storage.binlogDir(), settings.maxFileSize(), settings.fsync(),
                    INDEX_INTERVAL_BYTES, settings.serverId(), storage.serverUuid());
            Checkpoint checkpoint = storage.checkpoints().read().orElse(null);
            if (checkpoint != null) {
                cutBack(config, checkpoint, storage.checkpoints());
            }
            binlog = GlobalBinlog.open(config);
            binlog.publishOnlyOnRequest();
            if (checkpoint == null) {
                storage.clearSchemaDir();
            }
            history = SchemaHistory.open(storage.schemaDir());
            pipeline = new Pipeline(settings, storage, binlog, history,
                    SpillDirectory.open(storage.spillDir(), settings.spillThreshold()));
            pipeline.begin(checkpoint);
            return pipeline;
        } catch (IOException | SQLException | RuntimeException | Error e) {
            if (pipeline != null) {
                pipeline.close();
            } else {
                if (history != null) {
                    history.close();
                }
                if (binlog != null) {
                    binlog.close();
                }
                storage.close();
            }
            throw e;
        }
    }

    /**
     * Runs the pipeline over recorded binlog files instead of replica connections (benchmarks, archived binlogs) into
     * a new global binlog, and returns once it holds everything, closed. Stream k is
     * {@code settings.dataNodes().get(k)}, of which only the id is used (nothing connects to a data node or a TSO),
     * read by a {@link BinlogFileCollector} from the first event of {@code files.get(k)}. The recording is a first
     * start whose cut is {@code startTso}, a TSO read before the files began and while no branch was prepared:
     * everything in the files comes out. Recorded streams end without probes: once a stream's files end, one probe
     * of {@code endTso}, a TSO read after the last recorded commit and before the files were closed (F3), lets the
     * watermark pass everything.
     *
     * @return the statistics of the finished run
     * @throws IllegalStateException when the storage directory already holds a global binlog, the pipeline failed,
     *                               or it did not finish within {@code timeout}
     */
    public static PipelineStats replay(PipelineSettings settings, List<List<Path>> files, long startTso, long endTso,
                                       Duration timeout) throws IOException {
        if (files.size() != settings.dataNodes().size() || files.stream().anyMatch(List::isEmpty)) {
            throw new IllegalArgumentException("files: one non-empty list of binlog files per data node is needed, got "
                    + files + " for " + settings.dataNodes().size() + " data nodes");
        }
        StorageDir storage = StorageDir.open(settings.storageDir());
        GlobalBinlog binlog = null;
        SchemaHistory history = null;
        SpillDirectory spill;
        try {
            if (storage.checkpoints().read().isPresent()) {
                throw new IllegalStateException(storage.checkpoints().path() + " exists: a replay writes a new global"
                        + " binlog into an empty storage directory");
            }
            binlog = GlobalBinlog.open(new BinlogLogConfig(storage.binlogDir(), settings.maxFileSize(),
                    settings.fsync(), INDEX_INTERVAL_BYTES, settings.serverId(), storage.serverUuid()));
            binlog.publishOnlyOnRequest();
            // No data node to read a schema from: the replay's history stays empty, its table maps carry no names.
            storage.clearSchemaDir();
            history = SchemaHistory.open(storage.schemaDir());
            spill = SpillDirectory.open(storage.spillDir(), settings.spillThreshold());
        } catch (IOException | RuntimeException | Error e) {
            if (history != null) {
                history.close();
            }
            if (binlog != null) {
                binlog.close();
            }
            storage.close();
            throw e;
        }
        try (Pipeline pipeline = new Pipeline(settings, storage, binlog, history, spill)) {
            pipeline.replayFiles(files, startTso, endTso);
            if (!pipeline.awaitDurable(endTso, timeout)) {
                throw new IllegalStateException("the replay did not finish within " + timeout + ": "
                        + pipeline.stats());
            }
            return pipeline.stats();
        }
    }

    private void replayFiles(List<List<Path>> files, long startTso, long endTso) throws IOException {
        List<String> ids = settings.dataNodes().stream().map(DataNode::id).toList();
        List<BinlogCoordinates> starts = files.stream().map(f -> new BinlogCoordinates(
                f.get(0).getFileName().toString(), BinlogCoordinates.FIRST_EVENT)).toList();
        List<StreamCheckpoint> streams = starts.stream().map(BinlogCoordinates::encoded)
                .map(p -> StreamCheckpoint.firstStart(p, p, p)).toList();
        EngineCheckpoint engine = EngineCheckpoint.firstStart(ids, startTso, streams, List.of());
        Checkpoint checkpoint = Checkpoint.of(binlog.endPosition(), binlog.lastGno(), engine);
        storage.checkpoints().write(checkpoint);
        startThreads(new Streams(ids, starts), engine, storage.checkpoints(), checkpoint);
        for (int k = 0; k < ids.size(); k++) {
            int stream = k;
            Thread reader = new Thread(() -> {
                try {
                    BinlogFileCollector.read(files.get(stream), starts.get(stream), stream, ids.get(stream),
                            rings[stream]);
                    rings[stream].probeReached(stream, endTso);
                } catch (Throwable t) {
                    failure.fail(t);
                }
            }, "gbinlog-replay-" + ids.get(k));
            fileReaders.add(reader);
            reader.start();
        }
    }

    /**
     * Cuts the global binlog back to what the checkpoint covers: what was written after it is handed over again by
     * the resumed engine, possibly in another order (a local's key depends on the probes seen).
     */
    private static void cutBack(BinlogLogConfig config, Checkpoint checkpoint, CheckpointFile file) throws IOException {
        try {
            GlobalBinlog.truncateTo(config, checkpoint.binlog().end());
        } catch (IOException e) {
            throw new IllegalStateException(file.path() + " covers the global binlog up to " + checkpoint.binlog().end()
                    + " but the files do not reach it (" + e.getMessage() + "): data the checkpoint relies on was"
                    + " lost (binlog.fsync: never and a machine crash?)", e);
        }
    }

    private void begin(Checkpoint checkpoint) throws IOException, SQLException {
        List<DataNode> nodes = settings.dataNodes();
        List<String> ids = nodes.stream().map(DataNode::id).toList();
        long replicaServerId = (1L << 31) + new SecureRandom().nextInt(1 << 30);
        List<NodeSettings> found = SettingsCheck.checkCluster(nodes, replicaServerId);
        CheckpointFile checkpoints = storage.checkpoints();
        boolean resuming = checkpoint != null;
        if (resuming) {
            if (binlog.lastGno() != checkpoint.binlog().lastGno()) {
                throw new IllegalStateException(checkpoints.path() + " covers GTIDs 1-" + checkpoint.binlog().lastGno()
                        + " but " + storage.binlogDir() + " holds 1-" + binlog.lastGno() + " up to its end "
                        + binlog.endPosition() + ": the checkpoint does not belong to these files");
            }
            requireSameDataNodes(checkpoint.dataNodes(), ids, checkpoints);
            resumeSchemaHistory(Math.max(binlog.lastCts(), checkpoint.engineCheckpoint().cut()));
        } else {
            if (binlog.lastGno() > 0) {
                throw new IllegalStateException(checkpoints.path() + " is missing but " + storage.binlogDir()
                        + " holds transactions: gbinlog cannot tell where to resume. Restore the checkpoint, or move"
                        + " the storage directory away to start a new global binlog");
            }
            checkpoint = firstStart(nodes, checkpoints);
        }
        EngineCheckpoint engine = checkpoint.engineCheckpoint();
        List<BinlogCoordinates> starts = new ArrayList<>();
        for (int k = 0; k < nodes.size(); k++) {
            try (Connection c = DataNodes.connect(nodes.get(k))) {
                // The engine keeps positions as numbers; the data node's binlog names its files.
                String file = DataNodes.masterStatus(c, nodes.get(k)).file();
                starts.add(BinlogCoordinates.decode(engine.restartPosition(k), file));
            }
        }
        Streams streams = new Streams(ids, starts);
        if (resuming) {
            log.info("resuming the global binlog in {}: GTIDs 1-{} up to {}; data nodes are read again from {}",
                    storage.binlogDir(), binlog.lastGno(), binlog.endPosition(), starts);
        }
        startThreads(streams, engine, checkpoints, checkpoint);
        startCollectors(nodes, found, replicaServerId, starts);
    }

    private static void requireSameDataNodes(List<String> persisted, List<String> configured, CheckpointFile file) {
        for (String id : configured) {
            if (!persisted.contains(id)) {
                throw new IllegalStateException("data node '" + id + "' is configured but " + file.path()
                        + " does not know it; adding a data node to a running global binlog is not supported");
            }
        }
        List<String> gone = persisted.stream().filter(id -> !configured.contains(id)).toList();
        if (!gone.isEmpty()) {
            throw new IllegalStateException(file.path() + " names data nodes " + gone + " that are no longer"
                    + " configured; removing a data node from a running global binlog is not supported");
        }
        if (!persisted.equals(configured)) {
            throw new IllegalStateException(file.path() + " has the data nodes in the order " + persisted
                    + " but they are configured as " + configured + "; keep the configured order");
        }
    }

    private void startThreads(Streams streams, EngineCheckpoint engine, CheckpointFile checkpoints,
                              Checkpoint checkpoint) {
        watch = new HoldupWatch(streams);
        // Lite: a publish takes the writer's lock only when the writer waits, not for every transaction.
        output = RingBuffer.createSingleProducer(OutputEvent::new, WRITER_RING_SIZE, new LiteBlockingWaitStrategy());
        appender = new TransactionAppender(binlog, streams, history, new LogicalTables(settings.names(), history),
                Math.max(binlog.lastCts(), engine.cut()));
        writer = new BinlogWriter(binlog, settings.fsync(), checkpoints, appender, failure, wakeup, checkpoint);
        writerProcessor = new BatchEventProcessorBuilder().build(output, output.newBarrier(), writer);
        writerProcessor.setExceptionHandler(new FailOnException());
        output.addGatingSequences(writerProcessor.getSequence());
        rings = new CollectorRing[settings.dataNodes().size()];
        for (int k = 0; k < rings.length; k++) {
            rings[k] = new CollectorRing(k, settings.collectorRingSize(), wakeup);
        }
        mergeLoop = new MergeLoop(streams, engine, rings, watch, output, wakeup,
                settings.checkpointInterval().toNanos(), failure, writer);
        writerThread = new Thread(writerProcessor, "gbinlog-writer");
        mergeThread = new Thread(mergeLoop, "gbinlog-merger");
        writerThread.start();
        mergeThread.start();
    }

    private void startCollectors(List<DataNode> nodes, List<NodeSettings> found, long replicaServerId,
                                 List<BinlogCoordinates> starts) throws SQLException {
        Duration heartbeat = settings.probeInterval().dividedBy(HEARTBEATS_PER_PROBE);
        heartbeat = heartbeat.compareTo(MIN_HEARTBEAT) < 0 ? MIN_HEARTBEAT
                : heartbeat.compareTo(MAX_HEARTBEAT) > 0 ? MAX_HEARTBEAT : heartbeat;
        for (int k = 0; k < nodes.size(); k++) {
            ReplicaCollector collector = ReplicaCollector.builder(nodes.get(k), k, rings[k])
                    .serverId(replicaServerId)
                    .identity(found.get(k))
                    .startAt(starts.get(k))
                    .heartbeat(heartbeat)
                    .spill(spill)
                    .onFailure(failure::fail)
                    .start();
            collectors.add(collector);
            probers.add(Prober.start(nodes.get(k), settings.tso().get(), collector.probes(), settings.probeInterval()));
        }
    }

    /**
     * The first start ({@link FirstStart}), persisted before anything is read: until a later checkpoint replaces it,
     * a restart repeats it from the same positions with the same cut and commit_log rows.
     */
    private Checkpoint firstStart(List<DataNode> nodes, CheckpointFile checkpoints) throws SQLException, IOException {
        FirstStart first;
        try (TsoClient tso = settings.tso().get()) {
            first = FirstStart.take(nodes, tso);
        }
        List<StreamCheckpoint> streams = new ArrayList<>();
        for (int k = 0; k < nodes.size(); k++) {
            streams.add(StreamCheckpoint.firstStart(first.starts().get(k).encoded(),
                    first.beforeCut().get(k).encoded(), first.afterCut().get(k).encoded()));
        }
        List<CommitDecision> decisions = first.rows().stream()
                .map(r -> new CommitDecision(r.gtrid(), r.cts(), r.participants())).toList();
        EngineCheckpoint engine = EngineCheckpoint.firstStart(nodes.stream().map(DataNode::id).toList(), first.cut(),
                streams, decisions);
        bootstrapSchemaHistory(first.cut());
        Checkpoint checkpoint = Checkpoint.of(binlog.endPosition(), binlog.lastGno(), engine);
        checkpoints.write(checkpoint);
        log.info("first start: the global binlog begins after TSO {}; data nodes are read from {}", first.cut(),
                first.starts());
        return checkpoint;
    }

    /**
     * The schema history at the first start's cut: the data nodes' schema as it is now. A logical DDL must not run
     * while gbinlog starts for the first time (it would be in the snapshot and applied again at its cts).
     */
    private void bootstrapSchemaHistory(long cut) throws SQLException, IOException {
        List<Connection> connections = new ArrayList<>();
        try {
            for (DataNode node : settings.dataNodes()) {
                connections.add(DataNodes.connect(node));
            }
            history.bootstrap(cut, SchemaSnapshot.read(connections, settings.names()));
        } catch (SchemaException e) {
            throw new IllegalStateException("cannot take the data nodes' schema at the first start: " + e.getMessage(),
                    e);
        } finally {
            for (Connection c : connections) {
                c.close();
            }
        }
    }

    /**
     * Restart rule of the schema history: a DDL is applied to it before it is appended, so versions after what the
     * checkpoint covers are dropped here and applied again when their DDL is read again.
     */
    private void resumeSchemaHistory(long checkpointCts) throws SQLException, IOException {
        if (history.isEmpty()) {
            log.warn("{} holds no schema history (written by an older gbinlog): it starts from the data nodes' schema"
                    + " as it is now", storage.schemaDir());
            bootstrapSchemaHistory(checkpointCts);
        } else {
            history.forgetAfter(checkpointCts);
        }
    }

    /** The logical schema the global binlog follows, for schema questions of its readers. */
    public SchemaHistory schemaHistory() {
        return history;
    }

    /** The global binlog this pipeline writes: what a dumper serves (readers see what the last checkpoint covers). */
    public GlobalBinlog globalBinlog() {
        return binlog;
    }

    /** The last checkpoint written (or resumed from). */
    public Checkpoint lastCheckpoint() {
        return writer.lastCheckpoint();
    }

    /** A progress report; the delays are those recorded since the previous call. */
    public PipelineStats stats() {
        long backlog = 0;
        for (CollectorRing r : rings) {
            backlog += r.backlog();
        }
        return new PipelineStats(writer.transactions(), binlog.endPosition(), binlog.lastGno(),
                mergeLoop.globalWatermark(), writer.durableWatermark(), writer.takeDelays(), backlog,
                watch.current().stream().map(HoldupWatch.Report::toString).toList(), appender.ddlsOutsideProtocol(),
                appender.tableMapsWithoutMetadata());
    }

    /**
     * Waits until every transaction ordered up to TSO {@code tso} is in the files.
     *
     * @return false at the timeout
     * @throws IllegalStateException when the pipeline failed
     */
    public boolean awaitDurable(long tso, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (writer.durableWatermark() < tso) {
            if (failure.failed()) {
                throw new IllegalStateException("the pipeline failed: " + failure.cause(), failure.cause());
            }
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(5));
        }
        return true;
    }

    /** Why the pipeline stopped for good; null while it runs. */
    public Throwable failure() {
        return failure.cause();
    }

    /** Waits up to {@code timeout} for a failure; true when one happened. */
    public boolean awaitFailure(Duration timeout) throws InterruptedException {
        return failure.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Stops the collectors, lets the merger and the writer finish, writes a final checkpoint (unless the pipeline
     * failed) and closes the global binlog.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        probers.forEach(Prober::close);
        collectors.forEach(ReplicaCollector::close);
        if (mergeLoop != null) {
            mergeLoop.stop();
            join(mergeThread);
        }
        for (CollectorRing r : rings) {
            r.close();
        }
        fileReaders.forEach(Pipeline::join);
        if (writerProcessor != null) {
            while (!failure.failed() && writerProcessor.getSequence().get() < output.getCursor()) {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(1));
            }
            writerProcessor.halt();
            join(writerThread);
        }
        try {
            binlog.close();
        } catch (IOException e) {
            log.warn("closing the global binlog: {}", e.toString());
        }
        history.close();
        try {
            storage.close();
        } catch (IOException e) {
            log.warn("releasing the storage directory: {}", e.toString());
        }
    }

    /** A failure releases whoever waits on a ring, so that every thread can end. */
    private void releaseWaiters() {
        for (CollectorRing r : rings) {
            r.close();
        }
        wakeup.signal();
    }

    private static void join(Thread t) {
        if (t == null) {
            return;
        }
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class FailOnException implements ExceptionHandler<OutputEvent> {
        @Override
        public void handleEventException(Throwable ex, long sequence, OutputEvent event) {
            failure.fail(ex);
        }

        @Override
        public void handleOnStartException(Throwable ex) {
            failure.fail(ex);
        }

        @Override
        public void handleOnShutdownException(Throwable ex) {
            log.warn("global binlog writer shutdown: {}", ex.toString());
        }
    }
}
