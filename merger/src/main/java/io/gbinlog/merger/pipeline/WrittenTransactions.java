package io.gbinlog.merger.pipeline;

import io.gbinlog.merger.writer.BinlogEventReader;
import io.gbinlog.merger.writer.GlobalBinlog;
import io.gbinlog.protocol.binlog.CtsMarker;
import io.gbinlog.protocol.binlog.EventHeader;
import io.gbinlog.protocol.binlog.EventType;
import io.gbinlog.protocol.binlog.QueryEventEncoder;
import io.gbinlog.protocol.binlog.RowsQueryEventEncoder;

import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What the global binlog holds after a checkpoint: the pipeline may have written transactions after the last
 * checkpoint and before it stopped. Reads the cts markers from a position to the end and keeps the highest cts of a
 * distributed transaction and, per data node, the last position of a local transaction.
 */
final class WrittenTransactions {

    long lastDistributedCts = ResumeFilter.NONE;
    String lastDistributedGtrid;
    final Map<String, Long> lastLocal = new HashMap<>();
    long transactions;

    /** Scans from {@code file}:{@code position}, a transaction boundary, to the end of the files. */
    static WrittenTransactions after(GlobalBinlog log, String file, long position, List<String> dataNodes)
            throws IOException {
        WrittenTransactions found = new WrittenTransactions();
        boolean afterGtid = false;
        boolean afterBegin = false;
        try (BinlogEventReader in = log.openReader(file, position)) {
            while (in.next()) {
                int type = in.eventType();
                byte[] buf = in.buffer();
                int off = in.eventOffset();
                int end = off + in.eventSize() - EventHeader.CHECKSUM_LENGTH;
                if (type == EventType.GTID) {
                    afterGtid = true;
                    afterBegin = false;
                    found.transactions++;
                } else if (afterGtid && type == EventType.QUERY) {
                    afterGtid = false;
                    if (QueryEventEncoder.isBegin(buf, off, in.eventSize())) {
                        afterBegin = true;
                    } else {
                        int text = QueryEventEncoder.statementOffset(buf, off);
                        found.record(buf, text, end - text, dataNodes, in);
                    }
                } else if (afterBegin && type == EventType.ROWS_QUERY) {
                    afterBegin = false;
                    int text = RowsQueryEventEncoder.textOffset(off);
                    found.record(buf, text, end - text, dataNodes, in);
                } else {
                    afterGtid = false;
                    afterBegin = false;
                }
            }
        }
        return found;
    }

    private void record(byte[] buf, int text, int length, List<String> dataNodes, BinlogEventReader at)
            throws IOException {
        long cts = CtsMarker.parse(buf, text, length);
        Origin origin = Origin.parse(CtsMarker.origin(buf, text, length));
        if (cts == CtsMarker.ABSENT || origin == null) {
            throw new IOException("the global binlog transaction at " + at.file() + ":" + at.eventPosition()
                    + " has no gbinlog marker naming its origin; it was not written by this pipeline");
        }
        if (!origin.isLocal()) {
            if (cts > lastDistributedCts) {
                lastDistributedCts = cts;
                lastDistributedGtrid = origin.gtrid();
            }
            return;
        }
        if (!dataNodes.contains(origin.dataNode())) {
            throw new IOException("the global binlog transaction at " + at.file() + ":" + at.eventPosition()
                    + " came from data node '" + origin.dataNode() + "', which is not configured");
        }
        lastLocal.merge(origin.dataNode(), origin.coordinates().encoded(), Math::max);
    }
}
