package io.gbinlog.merger.pipeline;

import io.gbinlog.merger.writer.BinlogPosition;
import org.HdrHistogram.Histogram;

import java.util.List;

/**
 * A look at a running pipeline, for progress reports.
 *
 * @param transactions     transactions written since the pipeline started
 * @param binlogEnd        the durable end of the global binlog (what SHOW MASTER STATUS would say)
 * @param lastGno          the GTID sequence number of the last transaction written
 * @param globalWatermark  the merger's G: every transaction with a key up to (G, 0, ...) is emitted
 * @param durableWatermark every transaction with a key up to (this, 0, ...) is in the files
 * @param delayMillis      delays from commit on the data node to durable in the global binlog, since the previous
 *                         call of {@link Pipeline#stats()} (see {@link Pipeline} for what is measured)
 * @param backlog          events waiting in the collector rings
 * @param holdups          what holds the streams back now
 * @param ddlsOutsideProtocol DDLs run on a data node without the DDL protocol's marker since the pipeline started:
 *                         each is reported (WARN) and neither written nor applied to the schema history
 * @param tableMapsWithoutMetadata table maps written without column names since the pipeline started, because the
 *                         schema history did not know their table or had another column count (each table version
 *                         is reported once, WARN)
 */
public record PipelineStats(long transactions, BinlogPosition binlogEnd, long lastGno, long globalWatermark,
                            long durableWatermark, Histogram delayMillis, long backlog, List<String> holdups,
                            long ddlsOutsideProtocol, long tableMapsWithoutMetadata) {
}
