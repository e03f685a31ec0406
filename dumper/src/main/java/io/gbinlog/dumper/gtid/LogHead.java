package io.gbinlog.dumper.gtid;

import io.gbinlog.merger.writer.BinlogPosition;
import io.gbinlog.merger.writer.GlobalBinlog;
import java.util.UUID;

/**
 * Where the durable global binlog ends and which GTIDs lie before that point, read as one consistent pair:
 * what {@code SHOW MASTER STATUS} reports and where a replica that has executed everything starts.
 *
 * @param end     the end of the last durable transaction (an event boundary)
 * @param lastGno the GNO of the last transaction before {@code end} (0: none)
 */
public record LogHead(BinlogPosition end, long lastGno) {

    /** The log publishes end and last GNO together, but hands them out separately: read until they agree. */
    public static LogHead of(GlobalBinlog log) {
        while (true) {
            long before = log.lastGno();
            BinlogPosition end = log.endPosition();
            if (log.lastGno() == before) {
                return new LogHead(end, before); // no transaction was published in between
            }
        }
    }

    /** {@code uuid:1-N} as MySQL prints an executed set; empty before the first transaction. */
    public String executedGtidSet(UUID clusterUuid) {
        return ClusterGtids.format(clusterUuid, lastGno);
    }
}
