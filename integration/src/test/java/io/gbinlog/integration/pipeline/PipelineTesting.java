package io.gbinlog.integration.pipeline;

import io.gbinlog.meta.tso.JdbcTsoClient;
import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.testing.TestTso;
import io.gbinlog.meta.config.GbinlogConfig;
import io.gbinlog.merger.pipeline.PipelineSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Shared set-up of the pipeline tests. */
final class PipelineTesting {

    /** The connector logs every replica connect at INFO through java.util.logging. */
    private static final Logger CONNECTOR_LOG = Logger.getLogger("com.github.shyiko.mysql.binlog");

    static {
        CONNECTOR_LOG.setLevel(Level.WARNING);
    }

    private PipelineTesting() {
    }

    static List<GbinlogConfig.DataNode> configs(List<DataNode> nodes) {
        return nodes.stream().map(n -> new GbinlogConfig.DataNode(n.id(), n.host(), n.port(), n.user(), n.password()))
                .toList();
    }

    /** Small files (rotation happens), a low spill threshold, quick probes and checkpoints, group commit per batch. */
    static PipelineSettings settings(List<DataNode> nodes, Path storage, TestTso tso) {
        return PipelineSettings.builder(configs(nodes), storage,
                        () -> new JdbcTsoClient(TestTso.HOST, tso.port(), TestTso.USER, TestTso.PASSWORD))
                .probeInterval(Duration.ofMillis(20)).collectorRingSize(1024).spillThreshold(64 * 1024)
                .maxFileSize(256 * 1024).checkpointInterval(Duration.ofMillis(200)).build();
    }
}
