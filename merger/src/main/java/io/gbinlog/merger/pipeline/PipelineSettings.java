package io.gbinlog.merger.pipeline;

import io.gbinlog.meta.tso.TsoClient;
import io.gbinlog.meta.config.GbinlogConfig;
import io.gbinlog.meta.config.GbinlogConfig.DataNode;
import io.gbinlog.merger.writer.FsyncPolicy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What a {@link Pipeline} needs.
 *
 * @param dataNodes          the data nodes, one stream each
 * @param storageDir         gbinlog's files: {@code binlog/}, {@code checkpoint.json}, {@code server-uuid}
 * @param tso                a new connection to the TSO per call (each prober owns and closes its own)
 * @param probeInterval      how often each data node is probed
 * @param collectorRingSize  events buffered per collector (a power of two)
 * @param spillThreshold     a transaction holding more event bytes than this keeps them in {@code storageDir/spill}
 * @param maxFileSize        global binlog file rotation size
 * @param fsync              when the global binlog is forced to disk
 * @param serverId           server_id in the global binlog's events
 * @param checkpointInterval the longest time between two restart checkpoints (one also follows every move of the
 *                           watermark, once the writer has written the previous one)
 */
public record PipelineSettings(List<DataNode> dataNodes, Path storageDir, Supplier<TsoClient> tso,
                               Duration probeInterval, int collectorRingSize, long spillThreshold, long maxFileSize,
                               FsyncPolicy fsync, long serverId, Duration checkpointInterval) {

    public PipelineSettings {
        dataNodes = List.copyOf(dataNodes);
        if (dataNodes.isEmpty()) {
            throw new IllegalArgumentException("dataNodes: at least one data node is needed");
        }
        Objects.requireNonNull(storageDir, "storageDir");
        Objects.requireNonNull(tso, "tso");
    }

    /** The settings of a configuration file; {@code tso} connects to the TSO the configuration names. */
    public static PipelineSettings of(GbinlogConfig config, Supplier<TsoClient> tso) {
        GbinlogConfig.Binlog b = config.binlog();
        FsyncPolicy fsync = switch (b.fsync()) {
            case "transaction" -> FsyncPolicy.EVERY_TRANSACTION;
            case "never" -> FsyncPolicy.NEVER;
            default -> FsyncPolicy.ON_FLUSH;
        };
        return new PipelineSettings(config.dataNodes(), config.storage().dir(), tso,
                Duration.ofMillis(config.collector().probeIntervalMs()), config.collector().ringSize(),
                config.collector().spillThresholdBytes(), b.maxFileSizeBytes(), fsync, b.serverId(), Duration.ofMillis(b.checkpointIntervalMs()));
    }
}
