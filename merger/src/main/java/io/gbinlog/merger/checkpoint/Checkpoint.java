package io.gbinlog.merger.checkpoint;

import io.gbinlog.collector.capture.BinlogCoordinates;

import java.util.List;
import java.util.Objects;

/**
 * Where the pipeline resumes after a stop or a crash (design §5), written after the global binlog data it covers
 * is durable. Positions are {@code file:offset}, as SHOW MASTER STATUS shows them.
 *
 * @param format          {@link #FORMAT}
 * @param binlog          the end of the global binlog this checkpoint covers, and its last GTID sequence number
 *                        (null only while the merger hands a checkpoint to the writer, which fills it in)
 * @param cut             the first start's cut: the global binlog holds the transactions ordered after TSO
 *                        {@code cut.tso}; {@code settled} once every stream has passed it (see {@link Cut})
 * @param lastDistributed the distributed transaction with the highest cts handled so far (written, or empty after
 *                        dropping its {@code __gbinlog} rows); null before the first
 * @param streams         one entry per data node
 */
public record Checkpoint(int format, Binlog binlog, Cut cut, Distributed lastDistributed, List<Stream> streams) {

    public static final int FORMAT = 1;

    public Checkpoint {
        Objects.requireNonNull(cut, "cut");
        streams = List.copyOf(streams);
    }

    /** The global binlog's durable end and last GNO when the checkpoint was written. */
    public record Binlog(String file, long position, long lastGno) {
    }

    /**
     * The first start's cut X. Until every stream's watermark has passed X ({@code settled} false) the run is still
     * deciding which local transactions lie before the cut, and a restart repeats the first start from the same
     * positions with the same cut; afterwards every local transaction after {@link Stream#lastLocal} is after it.
     */
    public record Cut(long tso, boolean settled) {
    }

    /** A distributed transaction: its cts and gtrid (hex). */
    public record Distributed(long cts, String gtrid) {
    }

    /**
     * One data node's stream.
     *
     * @param dataNode    the data node's configured id
     * @param cutAt       where its binlog ended when the cut was taken (SHOW MASTER STATUS after reading X)
     * @param restartFrom where to read again: early enough for every transaction not yet handled (a long-prepared
     *                    branch holds it back), always an event-group start
     * @param lastLocal   the last local transaction of this data node handled (written, or dropped as before the
     *                    cut), by the position of its group; null before the first
     */
    public record Stream(String dataNode, String cutAt, String restartFrom, String lastLocal) {

        public BinlogCoordinates cutAtCoordinates() {
            return coordinates(cutAt);
        }

        public BinlogCoordinates restartFromCoordinates() {
            return coordinates(restartFrom);
        }

        /** The last local transaction's position, or null. */
        public BinlogCoordinates lastLocalCoordinates() {
            return lastLocal == null ? null : coordinates(lastLocal);
        }
    }

    /** Parses {@code file:offset}. */
    public static BinlogCoordinates coordinates(String text) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("'" + text + "' is not a binlog position (file:offset)");
        }
        try {
            return new BinlogCoordinates(text.substring(0, colon), Long.parseLong(text.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a binlog position (file:offset)");
        }
    }
}
