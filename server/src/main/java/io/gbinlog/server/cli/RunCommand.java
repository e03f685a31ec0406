package io.gbinlog.server.cli;

import io.gbinlog.meta.tso.JdbcTsoClient;
import io.gbinlog.meta.tso.TsoClient;
import io.gbinlog.dumper.server.Dumper;
import io.gbinlog.meta.config.ConfigException;
import io.gbinlog.meta.config.GbinlogConfig;
import io.gbinlog.meta.config.HostPort;
import io.gbinlog.meta.tso.TsoAllocator;
import io.gbinlog.meta.tso.TsoServer;
import io.gbinlog.merger.pipeline.Pipeline;
import io.gbinlog.merger.pipeline.PipelineSettings;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The gbinlog server: the TSO (when {@code tso.listen} is set), then the pipeline that writes the global binlog, and
 * the dumper (when {@code dumper.listen} is set) that serves it to replicas, with progress logged every few seconds.
 * Ctrl-C or SIGTERM first closes the dumper (replicas reconnect to the next start), then stops the collectors, lets
 * the pipeline write what it holds and a final checkpoint, then stops the TSO. A failure of the pipeline (a data node
 * that cannot be read, a distributed transaction that breaks the protocol) ends the command with exit code 1 and the
 * reason.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        header = "Run gbinlog on a cluster: the TSO, the global binlog pipeline and the dumper.",
        description = {"Run gbinlog: the TSO (tso.listen), and the collectors, merger and writer that keep the",
                "global binlog in storage.dir/binlog, and the dumper (dumper.listen) that serves it to",
                "replicas. Ctrl-C or SIGTERM stops it cleanly."})
final class RunCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "YAML configuration file")
    Path config;

    @Option(names = "--progress-seconds", defaultValue = "5", paramLabel = "N",
            description = "log progress every N seconds (default: ${DEFAULT-VALUE})")
    long progressSeconds;

    @Override
    public Integer call() throws Exception {
        GbinlogConfig cfg = GbinlogConfig.load(config);
        if (cfg.dataNodes().isEmpty()) {
            throw new ConfigException(config + ": dataNodes: at least one data node is needed");
        }
        if (cfg.dumper() != null && cfg.dumper().listen() != null && cfg.users().isEmpty()) {
            throw new ConfigException(config + ": users: no accounts configured, so no replica could log in to the"
                    + " dumper on dumper.listen " + cfg.dumper().listen());
        }
        Shutdown.onSignal();
        GbinlogConfig.Tso tso = cfg.tso();
        if (tso == null || (tso.listen() == null && tso.address() == null)) {
            throw new ConfigException(config + ": tso: set listen (serve the TSO here) or address (an external TSO)");
        }
        if (tso.listen() != null) {
            if (cfg.users().isEmpty()) {
                throw new ConfigException(config + ": users: no accounts configured, so no coordinator could reach"
                        + " the TSO");
            }
            try (TsoAllocator allocator = TsoAllocator.open(cfg.storage().tsoLeaseFile());
                 TsoServer server = TsoServer.start(allocator, tso.listen().host(), tso.listen().port(),
                         cfg.userPasswords())) {
                log.info("TSO serving SELECT TSO_TIMESTAMP() on {}:{}", tso.listen().host(), server.port());
                return runPipeline(cfg, () -> allocator::next);
            }
        }
        if (tso.user() == null) {
            throw new ConfigException(config + ": tso.user: required with tso.address (the account gbinlog's probes"
                    + " use on the TSO)");
        }
        HostPort at = tso.address();
        return runPipeline(cfg, () -> new JdbcTsoClient(at.host(), at.port(), tso.user(), tso.password()));
    }

    private int runPipeline(GbinlogConfig cfg, Supplier<TsoClient> tso) throws Exception {
        Pipeline started;
        try {
            started = Pipeline.start(PipelineSettings.of(cfg, tso));
        } catch (IllegalStateException | IOException | SQLException e) {
            System.err.println("gbinlog: cannot start: " + e.getMessage());
            return 1;
        }
        int code;
        try (Pipeline pipeline = started) {
            log.info("writing the global binlog in {}; read it with mariadb-binlog -v {}/binlog.000001",
                    cfg.storage().binlogDir(), cfg.storage().binlogDir());
            // Closed before the pipeline, so that no replica reads a global binlog being closed.
            try (Dumper dumper = startDumper(cfg, pipeline)) {
                code = serve(pipeline);
            }
            if (code == 0) {
                log.info("stopping: the collectors stop, then what is read is written and checkpointed");
            }
        }
        if (code == 0) {
            log.info("stopped cleanly");
        }
        return code;
    }

    /** Null when {@code dumper.listen} is not set: the global binlog is then only read from storage.dir. */
    private static Dumper startDumper(GbinlogConfig cfg, Pipeline pipeline) {
        if (cfg.dumper() == null || cfg.dumper().listen() == null) {
            log.info("dumper.listen is not set: no replica can connect; the global binlog is only in {}",
                    cfg.storage().binlogDir());
            return null;
        }
        Dumper dumper = Dumper.start(pipeline.globalBinlog(), pipeline.schemaHistory(), cfg);
        log.info("dumper serving the global binlog on {}:{} to the configured users (CHANGE MASTER TO ..."
                + " MASTER_USE_GTID=no, MASTER_LOG_FILE='binlog.000001', MASTER_LOG_POS=4)",
                dumper.address().getHostString(), dumper.port());
        return dumper;
    }

    /** Runs until a signal (0) or a failure of the pipeline (1), logging progress. */
    private int serve(Pipeline pipeline) throws InterruptedException {
        ProgressLine progress = new ProgressLine();
        long nextReport = System.nanoTime() + Duration.ofSeconds(Math.max(1, progressSeconds)).toNanos();
        while (!Shutdown.requested()) {
            if (pipeline.awaitFailure(Duration.ofMillis(200))) {
                System.err.println("gbinlog: stopped: " + pipeline.failure());
                return 1;
            }
            if (System.nanoTime() - nextReport >= 0) {
                log.info("{}", progress.next(pipeline.stats()));
                nextReport += Duration.ofSeconds(Math.max(1, progressSeconds)).toNanos();
            }
        }
        return 0;
    }
}
