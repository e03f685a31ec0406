package io.gbinlog.merger.pipeline;

import io.gbinlog.collector.ordering.SortKey;
import io.gbinlog.merger.merge.GlobalTransaction;


/**
 * Decides which of the merger's transactions go to the global binlog: not those before the first start's cut, and
 * not those an earlier run already handled (streams restart early enough to re-read everything not yet handled,
 * so they re-read some that were). It remembers what was handled, for the next checkpoint.
 *
 * <ul>
 *   <li>A distributed transaction is identified by its cts: it was handled when its cts is at most the cut or the
 *       highest cts handled. The merger emits in key order, so every later one has a higher cts.</li>
 *   <li>A local transaction is identified by its stream and position: it was handled when its position is at most
 *       the last handled position of its stream. Its key cannot identify it: the floor in its key includes probes,
 *       which a re-read does not see again, so a re-read can give it a lower key than the first read did. Per
 *       stream, locals are emitted in position order, so the position is the right identity.</li>
 *   <li>The first start's cut X: a distributed transaction lies before it when its cts is at most X; a local one
 *       when its key is not above {@code (X, 0, ...)} <em>and</em> it committed before its data node's binlog end
 *       read right after X. The key alone would also drop a local committed after the cut, whose floor is held
 *       below X by a branch prepared before the cut; the position alone would drop a local that depends on a
 *       distributed transaction after X committed just before it. A local dropped by both tests depends on nothing
 *       written, and nothing written depends on it. Dropped locals count as handled.</li>
 *   <li>That test is only applied while the cut has not settled (see
 *       {@link io.gbinlog.merger.checkpoint.Checkpoint.Cut}): once the global watermark passed X, every local not
 *       handled yet lies after the cut, and a run that starts settled never applies it (re-read keys can be lower
 *       than the first run's).</li>
 * </ul>
 */
final class ResumeFilter {

    static final long NONE = -1;

    private final long cut;
    private final boolean cutLocalsByKey;
    private boolean settled;
    private long lastDistributedCts;
    private String lastDistributedGtrid;
    private final long[] cutPositions;
    private final long[] lastLocal;

    /**
     * @param cut                the first start's cut X
     * @param cutPositions       per stream the binlog end read right after X
     * @param settled            whether the run this one resumes had settled the cut
     * @param lastDistributedCts the highest cts handled before, or {@link #NONE}
     * @param lastLocal          per stream the last position handled before, or {@link #NONE}
     */
    ResumeFilter(long cut, long[] cutPositions, boolean settled, long lastDistributedCts, String lastDistributedGtrid,
                 long[] lastLocal) {
        this.cut = cut;
        this.cutPositions = cutPositions.clone();
        this.settled = settled;
        this.cutLocalsByKey = !settled;
        this.lastDistributedCts = lastDistributedCts;
        this.lastDistributedGtrid = lastDistributedGtrid;
        this.lastLocal = lastLocal.clone();
    }

    /** Distributed transactions with a cts up to this were handled before: the merger may read them in part. */
    long handledUpTo() {
        return Math.max(cut, lastDistributedCts);
    }

    /** True when {@code tx} is to be written; records it as handled either way. */
    boolean admit(GlobalTransaction<Captured> tx) {
        SortKey key = tx.key();
        if (tx.isDistributed()) {
            if (key.timestamp() <= handledUpTo()) {
                return false;
            }
            lastDistributedCts = key.timestamp();
            lastDistributedGtrid = Origin.hex(key.gtrid());
            return true;
        }
        int stream = tx.stream(0);
        long position = tx.payload(0).position();
        if (position <= lastLocal[stream]) {
            return false;
        }
        lastLocal[stream] = position;
        return !(cutLocalsByKey && key.coveredBy(cut) && position < cutPositions[stream]);
    }

    /** The cut has settled once the global watermark reached it: no later local can fall before it. */
    void observeWatermark(long globalWatermark) {
        if (!settled && globalWatermark >= cut) {
            settled = true;
        }
    }

    boolean settled() {
        return settled;
    }

    long lastDistributedCts() {
        return lastDistributedCts;
    }

    String lastDistributedGtrid() {
        return lastDistributedGtrid;
    }

    long lastLocal(int stream) {
        return lastLocal[stream];
    }
}
