package io.gbinlog.collector.ordering;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Objects;
import java.util.PriorityQueue;

/**
 * The per-stream half of the ordering rule (design §3) for one data node's binlog: it assigns sort
 * keys and keeps the stream's watermark {@code W_k}. Events are given in binlog order; committed
 * transactions wait, sorted by key, until the merge takes them.
 *
 * <p>Events are <em>passed</em> one by one in stream order. Passing stops at a distributed COMMIT
 * whose cts is still unknown (a local transaction after it needs that cts in its floor); the events
 * read behind it are deferred and passed once {@link #ctsLearned} reports its commit_log row. So every
 * key and every watermark is a function of the stream prefix alone, never of how streams interleave.
 *
 * <p>Single-threaded, no I/O. Positions are the binlog positions where each event's group starts,
 * strictly increasing (for example file number {@code << 32 |} offset); they are only reported back.
 */
public final class StreamSorter<P> {

    /** {@link #restartPosition()} when nothing read so far needs to be read again. */
    public static final long NOTHING_TO_REREAD = Long.MAX_VALUE;

    private static final Comparator<KeyedTransaction<?>> BY_KEY = (a, b) -> a.key.compareTo(b.key);

    private static final byte PREPARED = 0;
    private static final byte COMMITTED = 1;
    private static final byte ROLLED_BACK = 2;
    private static final byte LOCAL = 3;
    private static final byte PROBE = 4;

    private final int stream;
    private final CommitTimestamps commitTimestamps;

    /** Branches prepared and not yet resolved: by gtrid, and linked oldest to newest in prepare order. */
    private final HashMap<Gtrid, KeyedTransaction<P>> unresolved = new HashMap<>();
    private KeyedTransaction<P> oldest;
    private KeyedTransaction<P> newest;

    /**
     * Watermark candidates not yet effective, in stream order (a ring of ordinals and values). Values
     * strictly increase along it: a candidate no higher than an earlier one can never raise W_k.
     */
    private long[] candidateOrdinals = new long[16];
    private long[] candidateValues = new long[16];
    private int candidateHead;
    private int candidateCount;

    private long watermark;
    private long maxCommitCts;

    private final PriorityQueue<KeyedTransaction<P>> committed = new PriorityQueue<>(BY_KEY);

    private final ArrayDeque<Deferred<P>> deferred = new ArrayDeque<>();
    private KeyedTransaction<P> awaiting;
    private long awaitingPosition;
    private long awaitingOrdinal;

    private long events;
    private long lastPosition = Long.MIN_VALUE;
    private long orphanResolutions;

    public StreamSorter(int stream, CommitTimestamps commitTimestamps) {
        this.stream = stream;
        this.commitTimestamps = Objects.requireNonNull(commitTimestamps, "commitTimestamps");
    }

    /** An XA branch was prepared; {@code payload} holds its row events. */
    public void prepared(long position, Gtrid gtrid, P payload) {
        Objects.requireNonNull(gtrid, "gtrid");
        long ordinal = arrive(position);
        if (awaiting != null) {
            deferred.add(new Deferred<>(PREPARED, position, ordinal, gtrid, payload, 0));
        } else {
            passPrepared(position, ordinal, gtrid, payload);
        }
    }

    /** XA COMMIT of the branch of {@code gtrid} on this stream. */
    public void committed(long position, Gtrid gtrid) {
        Objects.requireNonNull(gtrid, "gtrid");
        long ordinal = arrive(position);
        if (awaiting != null) {
            deferred.add(new Deferred<>(COMMITTED, position, ordinal, gtrid, null, 0));
        } else {
            passCommitted(position, ordinal, gtrid);
        }
    }

    /** XA ROLLBACK of a prepared branch of {@code gtrid} on this stream. */
    public void rolledBack(long position, Gtrid gtrid) {
        Objects.requireNonNull(gtrid, "gtrid");
        long ordinal = arrive(position);
        if (awaiting != null) {
            deferred.add(new Deferred<>(ROLLED_BACK, position, ordinal, gtrid, null, 0));
        } else {
            passRolledBack(gtrid);
        }
    }

    /** A plain transaction of this data node alone committed. */
    public void localCommit(long position, P payload) {
        long ordinal = arrive(position);
        if (awaiting != null) {
            deferred.add(new Deferred<>(LOCAL, position, ordinal, null, payload, 0));
        } else {
            passLocal(position, payload);
        }
    }

    /**
     * The stream has read everything before the position P of a probe that read {@code tso} before
     * asking the data node for P. Delivering it later than at P is safe, only slower.
     */
    public void probeReached(long tso) {
        if (tso <= 0) {
            throw new IllegalArgumentException("stream " + stream + ": probe TSO value " + tso + " is not positive");
        }
        long ordinal = ++events;
        if (awaiting != null) {
            deferred.add(new Deferred<>(PROBE, 0, ordinal, null, null, tso));
        } else {
            offerCandidate(ordinal, tso);
        }
    }

    /**
     * The commit_log row of {@code gtrid} has been read (on any stream). If this stream waits for that
     * cts, it resumes and passes what it deferred, up to the next commit with an unknown cts.
     */
    public void ctsLearned(Gtrid gtrid) {
        if (awaiting == null || !awaiting.gtrid.equals(gtrid)) {
            return;
        }
        long cts = commitTimestamps.ctsOf(gtrid);
        if (cts == CommitTimestamps.UNKNOWN) {
            return;
        }
        KeyedTransaction<P> branch = awaiting;
        awaiting = null;
        commit(branch, awaitingPosition, awaitingOrdinal, cts);
        while (awaiting == null && !deferred.isEmpty()) {
            pass(deferred.poll());
        }
    }

    /** The committed transaction with the smallest key, not yet taken; null if none. */
    public KeyedTransaction<P> peek() {
        return committed.peek();
    }

    public KeyedTransaction<P> poll() {
        return committed.poll();
    }

    public int stream() {
        return stream;
    }

    /** {@code W_k}: every transaction of this stream with a key {@code ≤ (W_k, 0, …)} has been committed here. */
    public long watermark() {
        return watermark;
    }

    /** {@code floor_k} at the pass point: the first component of the next local transaction's key. */
    public long floor() {
        return Math.max(maxCommitCts, watermark);
    }

    /**
     * The earliest position that must be read again to get back everything this stream holds that is
     * not yet taken: unresolved branches (a long-prepared branch pins it) and committed transactions.
     * Deferred events need no term of their own: the branch whose commit they wait behind is unresolved
     * and was prepared before them. While events are deferred it can be earlier than strictly needed
     * (a deferred ROLLBACK has not released its branch yet); re-reading more is safe.
     */
    public long restartPosition() {
        long min = oldest != null ? oldest.position : NOTHING_TO_REREAD;
        for (KeyedTransaction<P> t : committed) {
            min = Math.min(min, t.position);
        }
        return min;
    }

    /** What holds this stream back and has done so for at least {@code minEventsSince} events, oldest first. */
    public List<Holdup> holdups(long minEventsSince) {
        List<Holdup> holdups = new ArrayList<>();
        if (awaiting != null && events - awaitingOrdinal >= minEventsSince) {
            holdups.add(new Holdup(stream, awaiting.gtrid, Holdup.Reason.AWAITING_COMMIT_LOG,
                    awaitingPosition, events - awaitingOrdinal));
        }
        for (KeyedTransaction<P> b = oldest; b != null && events - b.ordinal >= minEventsSince; b = b.newer) {
            if (b != awaiting) {
                holdups.add(new Holdup(stream, b.gtrid, Holdup.Reason.PREPARED, b.position, events - b.ordinal));
            }
        }
        return holdups;
    }

    /**
     * COMMITs and ROLLBACKs of branches whose PREPARE this stream never read (it lies before the start
     * position): they produce nothing and, their cts possibly never arriving, are not waited for.
     */
    public long orphanResolutions() {
        return orphanResolutions;
    }

    private long arrive(long position) {
        if (position <= lastPosition) {
            throw new IllegalArgumentException("stream " + stream + ": event at position " + position
                    + " after one at " + lastPosition + "; events must be given in binlog order");
        }
        lastPosition = position;
        return ++events;
    }

    private void pass(Deferred<P> d) {
        switch (d.kind) {
            case PREPARED -> passPrepared(d.position, d.ordinal, d.gtrid, d.payload);
            case COMMITTED -> passCommitted(d.position, d.ordinal, d.gtrid);
            case ROLLED_BACK -> passRolledBack(d.gtrid);
            case LOCAL -> passLocal(d.position, d.payload);
            default -> offerCandidate(d.ordinal, d.tso);
        }
    }

    private void passPrepared(long position, long ordinal, Gtrid gtrid, P payload) {
        KeyedTransaction<P> branch = new KeyedTransaction<>(stream, position, gtrid, payload, ordinal, null);
        if (unresolved.putIfAbsent(gtrid, branch) != null) {
            throw new ProtocolViolationException("stream " + stream + ": XA branch '" + gtrid
                    + "' prepared again at position " + position + " while its earlier PREPARE is unresolved");
        }
        branch.older = newest;
        if (newest != null) {
            newest.newer = branch;
        } else {
            oldest = branch;
        }
        newest = branch;
    }

    private void passCommitted(long position, long ordinal, Gtrid gtrid) {
        KeyedTransaction<P> branch = unresolved.get(gtrid);
        if (branch == null) {
            orphanResolutions++;
            return;
        }
        long cts = commitTimestamps.ctsOf(gtrid);
        if (cts == CommitTimestamps.UNKNOWN) {
            awaiting = branch;
            awaitingPosition = position;
            awaitingOrdinal = ordinal;
            return;
        }
        commit(branch, position, ordinal, cts);
    }

    private void passRolledBack(Gtrid gtrid) {
        KeyedTransaction<P> branch = unresolved.get(gtrid);
        if (branch == null) {
            orphanResolutions++;
            return;
        }
        unlink(branch);
        advanceEffective();
    }

    private void passLocal(long position, P payload) {
        committed.add(new KeyedTransaction<>(stream, position, null, payload, 0,
                SortKey.local(floor(), stream, position)));
    }

    private void commit(KeyedTransaction<P> branch, long position, long ordinal, long cts) {
        if (cts <= 0) {
            throw new ProtocolViolationException("stream " + stream + ": XA branch '" + branch.gtrid
                    + "' committed at position " + position + " but its commit_log row says cts " + cts);
        }
        unlink(branch);
        branch.key = SortKey.distributed(cts, branch.gtrid);
        committed.add(branch);
        maxCommitCts = Math.max(maxCommitCts, cts);
        advanceEffective();
        offerCandidate(ordinal, cts);
    }

    private void unlink(KeyedTransaction<P> branch) {
        unresolved.remove(branch.gtrid);
        if (branch.older != null) {
            branch.older.newer = branch.newer;
        } else {
            oldest = branch.newer;
        }
        if (branch.newer != null) {
            branch.newer.older = branch.older;
        } else {
            newest = branch.older;
        }
        branch.older = null;
        branch.newer = null;
    }

    /** A candidate given at the pass point: every unresolved branch was prepared before it. */
    private void offerCandidate(long ordinal, long value) {
        long highest = candidateCount == 0 ? watermark : candidateValues[slot(candidateCount - 1)];
        if (value <= highest) {
            return;
        }
        if (oldest == null) {
            watermark = value;
            return;
        }
        if (candidateCount == candidateOrdinals.length) {
            growCandidates();
        }
        int slot = slot(candidateCount);
        candidateOrdinals[slot] = ordinal;
        candidateValues[slot] = value;
        candidateCount++;
    }

    /** Candidates become effective once every branch prepared before them is resolved. */
    private void advanceEffective() {
        long oldestPrepare = oldest != null ? oldest.ordinal : Long.MAX_VALUE;
        while (candidateCount > 0 && candidateOrdinals[candidateHead] < oldestPrepare) {
            watermark = candidateValues[candidateHead];
            candidateHead = slot(1);
            candidateCount--;
        }
    }

    private int slot(int index) {
        return (candidateHead + index) & (candidateOrdinals.length - 1);
    }

    private void growCandidates() {
        int n = candidateOrdinals.length;
        long[] ordinals = new long[n * 2];
        long[] values = new long[n * 2];
        for (int i = 0; i < candidateCount; i++) {
            ordinals[i] = candidateOrdinals[slot(i)];
            values[i] = candidateValues[slot(i)];
        }
        candidateOrdinals = ordinals;
        candidateValues = values;
        candidateHead = 0;
    }

    /** An event read while passing waits at a commit with an unknown cts. */
    private static final class Deferred<P> {
        final byte kind;
        final long position;
        final long ordinal;
        final Gtrid gtrid;
        final P payload;
        final long tso;

        Deferred(byte kind, long position, long ordinal, Gtrid gtrid, P payload, long tso) {
            this.kind = kind;
            this.position = position;
            this.ordinal = ordinal;
            this.gtrid = gtrid;
            this.payload = payload;
            this.tso = tso;
        }
    }
}
