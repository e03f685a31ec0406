package io.gbinlog.integration.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.meta.tso.TsoClient;
import io.gbinlog.meta.config.GbinlogConfig;
import io.gbinlog.merger.pipeline.Pipeline;
import io.gbinlog.merger.pipeline.PipelineSettings;
import io.gbinlog.merger.pipeline.PipelineStats;
import io.gbinlog.merger.writer.FsyncPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline over recorded binlog files, as the pipeline benchmark runs it: everything comes out once, in order. */
class PipelineReplayTest {

    @TempDir
    Path tmp;

    @Test
    void recordedBankWorkloadComesOutOnceInCommitOrder() throws Exception {
        BankRecording recording = BankRecording.record(tmp.resolve("recorded"), 3, 1500, 4);
        Supplier<TsoClient> noTso = () -> {
            throw new AssertionError("a replay reads no TSO");
        };
        PipelineSettings settings = PipelineSettings.builder(recording.ids().stream()
                        .map(id -> new GbinlogConfig.DataNode(id, "127.0.0.1", 0, "", "")).toList(),
                        tmp.resolve("storage"), noTso)
                .collectorRingSize(1024).spillThreshold(64 * 1024).maxFileSize(256 * 1024).fsync(FsyncPolicy.NEVER)
                .checkpointInterval(Duration.ofMillis(200)).build();

        PipelineStats stats = Pipeline.replay(settings, recording.files(), recording.startTso(), recording.endTso(),
                Duration.ofMinutes(2));

        assertEquals(recording.progress().committed(), stats.transactions(), recording.progress().toString());
        List<GlobalBinlogContent.Tx> txs = GlobalBinlogContent.read(tmp.resolve("storage").resolve("binlog"));
        assertEquals(recording.progress().distributedCommitted(),
                txs.stream().filter(GlobalBinlogContent.Tx::isDistributed).count());
        assertEquals(recording.progress().localCommitted(), txs.stream().filter(t -> !t.isDistributed()).count());
        for (int i = 1; i < txs.size(); i++) {
            assertTrue(txs.get(i - 1).cts() <= txs.get(i).cts(), "commit timestamps never decrease at " + txs.get(i));
        }
    }
}
