package io.gbinlog.collector.ordering;

import java.util.Arrays;

/**
 * One stream's part of an ordering-engine checkpoint: where to read the stream again and how to recognise,
 * in what is read a second time, the transactions already handed over.
 *
 * @param restartPosition  where the stream must be read again, exactly (the start of an event group)
 * @param readUpTo         the last position read before the checkpoint ({@link #NONE} if nothing was read):
 *                         what lies between the two is read a second time
 * @param beforeCut        the stream's binlog end read at the first start after XA RECOVER, before the cut:
 *                         whatever committed before it has a cts below the cut and is left out without waiting
 *                         for its commit_log row; a COMMIT or ROLLBACK after it whose PREPARE precedes the start
 *                         means the start was too late
 * @param afterCut         where the locals above the first start's cut begin: the stream's binlog end read right
 *                         after the cut (committed later, a local is above it), moved back to just after the first
 *                         commit with a cts above the cut. It does not depend on probe timing, so every merger of the
 *                         cluster, first or restarted, leaves out the same locals
 * @param watermark        {@code W_k} to resume with: {@code floor_k} at the restart position, never below the
 *                         global watermark; a local read again gets a key no lower than the cts of what its data
 *                         node committed before it, and after everything handed over
 * @param lastLocal        the position of the last local transaction handed over or left out at the cut
 *                         ({@link #NONE} if none): a stream does both in position order, so those at or before it
 *                         are done
 * @param donePrepares     ascending positions, between the two above, of XA PREPAREs whose branch was handed
 *                         over (or left out below the cut): read again, they and their COMMIT are skipped
 */
public record StreamCheckpoint(long restartPosition, long readUpTo, long beforeCut, long afterCut, long watermark,
                               long lastLocal, long[] donePrepares) {

    /** No position: nothing read, or no local handed over yet. */
    public static final long NONE = Long.MIN_VALUE;

    public StreamCheckpoint {
        donePrepares = donePrepares.clone();
        for (int i = 0; i < donePrepares.length; i++) {
            if (donePrepares[i] < restartPosition || donePrepares[i] > readUpTo
                    || i > 0 && donePrepares[i] <= donePrepares[i - 1]) {
                throw new IllegalArgumentException("done XA PREPARE positions " + Arrays.toString(donePrepares)
                        + " are not ascending between the restart position " + restartPosition
                        + " and the position read up to " + readUpTo);
            }
        }
        if (readUpTo != NONE && restartPosition > readUpTo) {
            throw new IllegalArgumentException("restart position " + restartPosition + " is after the position read up to "
                    + readUpTo);
        }
        if (watermark < 0) {
            throw new IllegalArgumentException("watermark " + watermark + " is negative");
        }
    }

    /** A stream read for the first time from {@code startPosition}; see the parameters of this record. */
    public static StreamCheckpoint firstStart(long startPosition, long beforeCut, long afterCut) {
        return new StreamCheckpoint(startPosition, NONE, beforeCut, afterCut, 0, NONE, new long[0]);
    }

    @Override
    public long[] donePrepares() {
        return donePrepares.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StreamCheckpoint c && restartPosition == c.restartPosition && readUpTo == c.readUpTo
                && beforeCut == c.beforeCut && afterCut == c.afterCut && watermark == c.watermark
                && lastLocal == c.lastLocal && Arrays.equals(donePrepares, c.donePrepares);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(restartPosition) * 31 + Long.hashCode(readUpTo) * 17 + Arrays.hashCode(donePrepares);
    }

    @Override
    public String toString() {
        return "restart at " + restartPosition + ", read up to " + (readUpTo == NONE ? "-" : readUpTo)
                + ", cut between " + beforeCut + " and " + afterCut + ", watermark " + watermark
                + ", last local " + (lastLocal == NONE ? "-" : lastLocal)
                + ", done prepares " + Arrays.toString(donePrepares);
    }
}
