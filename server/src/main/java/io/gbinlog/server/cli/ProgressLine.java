package io.gbinlog.server.cli;

import io.gbinlog.merger.pipeline.PipelineStats;
import org.HdrHistogram.Histogram;

/**
 * One line of pipeline progress: transactions per second written to the global binlog, the delay from commit on a
 * data node to durable in the global binlog (p50, p99, max over the interval; see
 * {@link io.gbinlog.merger.pipeline.Pipeline} for how commit time is taken), the global binlog's end, what holds it
 * back.
 */
final class ProgressLine {

    private long lastTransactions;
    private long lastNanos = System.nanoTime();

    String next(PipelineStats stats) {
        long now = System.nanoTime();
        double seconds = Math.max(1e-3, (now - lastNanos) / 1e9);
        double rate = (stats.transactions() - lastTransactions) / seconds;
        lastTransactions = stats.transactions();
        lastNanos = now;
        Histogram d = stats.delayMillis();
        String delay = d.getTotalCount() == 0 ? "delay -"
                : String.format("delay p50 %d ms p99 %d ms max %d ms", d.getValueAtPercentile(50),
                        d.getValueAtPercentile(99), d.getMaxValue());
        return String.format("global binlog %6.0f txn/s  %s  at %s (GTID %d)%s%s%s%s", rate, delay, stats.binlogEnd(),
                stats.lastGno(), stats.backlog() > 0 ? "  backlog " + stats.backlog() : "",
                stats.ddlsOutsideProtocol() > 0 ? "  DDLs outside the protocol: " + stats.ddlsOutsideProtocol() : "",
                stats.tableMapsWithoutMetadata() > 0
                        ? "  table maps without column names: " + stats.tableMapsWithoutMetadata() : "",
                stats.holdups().isEmpty() ? "" : "  held back by: " + String.join("; ", stats.holdups()));
    }
}
