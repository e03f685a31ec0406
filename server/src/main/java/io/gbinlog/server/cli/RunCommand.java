package io.gbinlog.server.cli;

import io.gbinlog.collector.probe.JdbcTsoSource;
import io.gbinlog.collector.probe.TsoSource;
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
 * The gbinlog server: the TSO (when {@code tso.listen} is set), then the pipeline that writes the global binlog, with
 * progress logged every few seconds. Ctrl-C or SIGTERM stops the collectors, lets the pipeline write what it holds
 * and a final checkpoint, then stops the TSO. A failure of the pipeline (a data node that cannot be read, a
 * distributed transaction that breaks the protocol) ends the command with exit code 1 and the reason.
 *
 * <p>The dumper ({@code dumper.listen}) serves {@link Pipeline#globalBinlog()}; it is started here once it exists.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run gbinlog: the TSO (tso.listen), and the collectors, merger and writer that keep the",
                "global binlog in storage.dir/binlog. Ctrl-C or SIGTERM stops it cleanly."})
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
        return runPipeline(cfg, () -> new JdbcTsoSource(at.host(), at.port(), tso.user(), tso.password()));
    }

    private int runPipeline(GbinlogConfig cfg, Supplier<TsoSource> tso) throws Exception {
        Pipeline started;
        try {
            started = Pipeline.start(PipelineSettings.of(cfg, tso));
        } catch (IllegalStateException | IOException | SQLException e) {
            System.err.println("gbinlog: cannot start: " + e.getMessage());
            return 1;
        }
        try (Pipeline pipeline = started) {
            log.info("writing the global binlog in {}; read it with mariadb-binlog -v {}/binlog.000001",
                    cfg.storage().binlogDir(), cfg.storage().binlogDir());
            if (cfg.dumper() != null && cfg.dumper().listen() != null) {
                log.warn("dumper.listen is set, but run does not start the dumper yet: replicas cannot connect");
            }
            // The seam for the dumper: it serves pipeline.globalBinlog(), whose readers see only durable data.
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
            log.info("stopping: the collectors stop, then what is read is written and checkpointed");
        }
        log.info("stopped cleanly");
        return 0;
    }
}
