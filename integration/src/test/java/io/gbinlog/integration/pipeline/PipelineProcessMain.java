package io.gbinlog.integration.pipeline;

import io.gbinlog.meta.tso.JdbcTsoClient;
import io.gbinlog.dumper.server.Dumper;
import io.gbinlog.meta.config.GbinlogConfig;
import io.gbinlog.meta.config.HostPort;
import io.gbinlog.merger.pipeline.Pipeline;
import io.gbinlog.merger.pipeline.PipelineSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import java.util.logging.Logger;
import sun.misc.Signal;

/**
 * The pipeline alone in its own JVM, as {@code gbinlog run} runs it, for tests that kill it with SIGKILL. Argument: a
 * configuration file with {@code tso.address}, and {@code dumper.listen} to serve the global binlog as {@code run}
 * does. Prints {@code started}, then {@code durable <G>} every few
 * milliseconds (every transaction ordered up to TSO G is in the files); SIGTERM closes it and it exits 0, a failure
 * prints {@code failed <reason>} and exits 1.
 */
public final class PipelineProcessMain {

    /** The connector logs every connect at INFO through java.util.logging; held here, a logger's level would be lost. */
    private static final Logger CONNECTOR_LOG = Logger.getLogger("com.github.shyiko.mysql.binlog");

    private PipelineProcessMain() {
    }

    public static void main(String[] args) throws Exception {
        CONNECTOR_LOG.setLevel(Level.WARNING);
        GbinlogConfig config = GbinlogConfig.load(Path.of(args[0]));
        HostPort tso = config.tso().address();
        PipelineSettings settings = PipelineSettings.of(config,
                () -> new JdbcTsoClient(tso.host(), tso.port(), config.tso().user(), config.tso().password()));
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), signal -> stop.countDown());
        Pipeline pipeline = Pipeline.start(settings);
        boolean serve = config.dumper() != null && config.dumper().listen() != null;
        Dumper dumper = serve ? Dumper.start(pipeline.globalBinlog(), pipeline.schemaHistory(), config) : null;
        System.out.println("started");
        while (stop.getCount() > 0) {
            if (pipeline.awaitFailure(Duration.ofMillis(20))) {
                System.out.println("failed " + pipeline.failure());
                pipeline.close();
                System.exit(1);
            }
            System.out.println("durable " + pipeline.stats().durableWatermark());
        }
        if (dumper != null) {
            dumper.close();
        }
        pipeline.close();
        System.out.println("closed");
        System.exit(0);
    }
}
