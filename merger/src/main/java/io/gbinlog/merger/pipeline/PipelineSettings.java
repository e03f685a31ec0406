package io.gbinlog.merger.pipeline;

import io.gbinlog.meta.config.GbinlogConfig;
import io.gbinlog.meta.config.GbinlogConfig.DataNode;
import io.gbinlog.meta.schema.NameMapping;
import io.gbinlog.meta.tso.TsoClient;
import io.gbinlog.merger.writer.FsyncPolicy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * What a {@link Pipeline} needs. Built with {@link #builder}; every setting not given has the default of the
 * configuration file (docs/configuration.md).
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
 * @param names              physical schema and table names → logical ones
 */
public record PipelineSettings(List<DataNode> dataNodes, Path storageDir, Supplier<TsoClient> tso,
                               Duration probeInterval, int collectorRingSize, long spillThreshold, long maxFileSize,
                               FsyncPolicy fsync, long serverId, Duration checkpointInterval,
                               NameMapping names) {

    public PipelineSettings {
        dataNodes = List.copyOf(dataNodes);
        if (dataNodes.isEmpty()) {
            throw new IllegalArgumentException("dataNodes: at least one data node is needed");
        }
        Objects.requireNonNull(storageDir, "storageDir");
        Objects.requireNonNull(tso, "tso");
        Objects.requireNonNull(names, "names");
    }

    public static Builder builder(List<DataNode> dataNodes, Path storageDir, Supplier<TsoClient> tso) {
        return new Builder(dataNodes, storageDir, tso);
    }

    /** The settings of a configuration file; {@code tso} connects to the TSO the configuration names. */
    public static PipelineSettings of(GbinlogConfig config, Supplier<TsoClient> tso) {
        GbinlogConfig.Binlog b = config.binlog();
        FsyncPolicy fsync = switch (b.fsync()) {
            case "transaction" -> FsyncPolicy.EVERY_TRANSACTION;
            case "never" -> FsyncPolicy.NEVER;
            default -> FsyncPolicy.ON_FLUSH;
        };
        return builder(config.dataNodes(), config.storage().dir(), tso)
                .probeInterval(Duration.ofMillis(config.collector().probeIntervalMs()))
                .collectorRingSize(config.collector().ringSize())
                .spillThreshold(config.collector().spillThresholdBytes())
                .maxFileSize(b.maxFileSizeBytes())
                .fsync(fsync)
                .serverId(b.serverId())
                .checkpointInterval(Duration.ofMillis(b.checkpointIntervalMs()))
                .names(config.names())
                .build();
    }

    public static final class Builder {
        private final List<DataNode> dataNodes;
        private final Path storageDir;
        private final Supplier<TsoClient> tso;
        private Duration probeInterval = Duration.ofMillis(50);
        private int collectorRingSize = 4096;
        private long spillThreshold = 4L << 20;
        private long maxFileSize = 1L << 30;
        private FsyncPolicy fsync = FsyncPolicy.ON_FLUSH;
        private long serverId = 1;
        private Duration checkpointInterval = Duration.ofSeconds(1);
        private NameMapping names = NameMapping.identity();

        private Builder(List<DataNode> dataNodes, Path storageDir, Supplier<TsoClient> tso) {
            this.dataNodes = dataNodes;
            this.storageDir = storageDir;
            this.tso = tso;
        }

        public Builder probeInterval(Duration interval) {
            this.probeInterval = interval;
            return this;
        }

        public Builder collectorRingSize(int events) {
            this.collectorRingSize = events;
            return this;
        }

        public Builder spillThreshold(long bytes) {
            this.spillThreshold = bytes;
            return this;
        }

        public Builder maxFileSize(long bytes) {
            this.maxFileSize = bytes;
            return this;
        }

        public Builder fsync(FsyncPolicy policy) {
            this.fsync = policy;
            return this;
        }

        public Builder serverId(long id) {
            this.serverId = id;
            return this;
        }

        public Builder checkpointInterval(Duration interval) {
            this.checkpointInterval = interval;
            return this;
        }

        public Builder names(NameMapping mapping) {
            this.names = mapping;
            return this;
        }

        public PipelineSettings build() {
            return new PipelineSettings(dataNodes, storageDir, tso, probeInterval, collectorRingSize, spillThreshold,
                    maxFileSize, fsync, serverId, checkpointInterval, names);
        }
    }
}
