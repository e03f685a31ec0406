package io.gbinlog.merger.merge;

import io.gbinlog.collector.ordering.CommitTimestamps;
import io.gbinlog.collector.ordering.Gtrid;
import io.gbinlog.collector.ordering.ProtocolViolationException;

import java.util.HashMap;
import java.util.PriorityQueue;

/**
 * The {@code __gbinlog.commit_log} rows read so far, joined by gtrid: each stream learns the cts of
 * its commits here, and the merge learns how many branches to join. A row lives until its transaction
 * is emitted, or until the global watermark passes its cts without any branch of it having been read
 * (its branches lie before the streams' start positions).
 */
final class CommitLogRows implements CommitTimestamps {

    static final class Row {
        final Gtrid gtrid;
        final long cts;
        final int participants;
        final int stream;
        final long position;
        boolean taken;

        Row(Gtrid gtrid, long cts, int participants, int stream, long position) {
            this.gtrid = gtrid;
            this.cts = cts;
            this.participants = participants;
            this.stream = stream;
            this.position = position;
        }
    }

    private final HashMap<Gtrid, Row> rows = new HashMap<>();
    /** Every live row by cts, so that the watermark can retire rows no branch will ever claim. */
    private final PriorityQueue<Row> byCts = new PriorityQueue<>((a, b) -> Long.compare(a.cts, b.cts));
    private long unclaimed;

    /**
     * Records a row read on {@code stream}; false when it can matter to no stream: a decided abort
     * (its branches are rolled back), or a cts the global watermark already passed.
     */
    boolean add(int stream, long position, Gtrid gtrid, long cts, int participants, long globalWatermark) {
        if (cts < 0) {
            throw new ProtocolViolationException("stream " + stream + ": __gbinlog.commit_log row of '" + gtrid
                    + "' at position " + position + " has negative cts " + cts);
        }
        if (participants < 1) {
            throw new ProtocolViolationException("stream " + stream + ": __gbinlog.commit_log row of '" + gtrid
                    + "' at position " + position + " lists no participants");
        }
        if (cts == 0) {
            return false;
        }
        if (cts <= globalWatermark) {
            unclaimed++;
            return false;
        }
        Row row = new Row(gtrid, cts, participants, stream, position);
        Row earlier = rows.putIfAbsent(gtrid, row);
        if (earlier != null) {
            if (earlier.cts != cts) {
                throw new ProtocolViolationException("stream " + stream + ": __gbinlog.commit_log row of '" + gtrid
                        + "' at position " + position + " says cts " + cts + " but the row read on stream "
                        + earlier.stream + " at position " + earlier.position + " says " + earlier.cts);
            }
            return false;
        }
        byCts.add(row);
        return true;
    }

    @Override
    public long ctsOf(Gtrid gtrid) {
        Row row = rows.get(gtrid);
        return row != null ? row.cts : UNKNOWN;
    }

    /** Removes the row of a transaction being emitted. */
    Row take(Gtrid gtrid) {
        Row row = rows.remove(gtrid);
        if (row == null) {
            throw new IllegalStateException("no commit_log row for '" + gtrid + "', yet its branches have a cts");
        }
        row.taken = true;
        return row;
    }

    /** Called after everything covered by {@code globalWatermark} was emitted: rows still unclaimed never will be. */
    void retireUpTo(long globalWatermark) {
        while (!byCts.isEmpty() && byCts.peek().cts <= globalWatermark) {
            Row row = byCts.poll();
            if (!row.taken) {
                rows.remove(row.gtrid);
                unclaimed++;
            }
        }
    }

    /** The earliest position of a live row read on {@code stream}, or {@code Long.MAX_VALUE}. */
    long restartPosition(int stream) {
        long min = Long.MAX_VALUE;
        for (Row row : rows.values()) {
            if (row.stream == stream) {
                min = Math.min(min, row.position);
            }
        }
        return min;
    }

    /** Rows with a cts that no branch read by the streams ever claimed. */
    long unclaimed() {
        return unclaimed;
    }
}
