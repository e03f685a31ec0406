package io.gbinlog.collector.ordering;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
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
 * <p>Restart: {@link #checkpoint} tells where the stream must be read again and what was taken already.
 * A sorter built from it must be fed from exactly that position; of what it reads a second time it drops
 * the branches and locals taken before (and their COMMITs), so it neither repeats them nor waits for a
 * commit_log row retired long ago; rolled-back branches simply replay. Its watermark starts at the
 * checkpoint's, never below the global watermark: keys assigned after a restart follow everything handed
 * over before.
 *
 * <p>Memory: everything read since the restart position stays until taken; the committed transactions
 * waiting to be taken hold the payloads (a transaction past the spill threshold holds only a file). Finding the
 * restart position costs amortised constant time ({@link PositionLedger}).
 *
 * <p>Single-threaded, no I/O. Positions are the binlog positions where each event's group starts,
 * strictly increasing (for example file number {@code << 32 |} offset), except that the commit_log rows of
 * one group share its position.
 */
public final class StreamSorter<P> {

    private static final Comparator<KeyedTransaction<?>> BY_KEY = (a, b) -> a.key.compareTo(b.key);

    private static final byte PREPARED = 0;
    private static final byte COMMITTED = 1;
    private static final byte ROLLED_BACK = 2;
    private static final byte LOCAL = 3;
    private static final byte PROBE = 4;
    private static final byte ROW = 5;

    private final int stream;
    private final CommitDecisions decisions;
    /** The first start's cut, and where the locals above it begin ({@link StreamCheckpoint#afterCut}). */
    private final long cut;
    private long afterCut;

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
    private long lastPosition = StreamCheckpoint.NONE;
    private long orphans;

    /** What this sorter was started from; its range up to {@code readUpTo} is being read a second time. */
    private final StreamCheckpoint from;
    private final long[] donePrepares;
    private int nextDonePrepare;
    private long lastLocal;
    /** Positions of prepared branches and locals not yet taken or rolled back. */
    private final PositionLedger items = new PositionLedger();
    /** Positions of the commit_log rows of this stream the merge still needs. */
    private final PositionLedger rows = new PositionLedger();
    /** Positions of PREPAREs taken (or left out below the cut) since the start, until the restart position passes them. */
    private final PriorityQueue<Long> preparesDone = new PriorityQueue<>();

    /**
     * @param from            where the stream (re)starts: {@link StreamCheckpoint#firstStart} the first time
     * @param globalWatermark G of the checkpoint: everything with a key {@code ≤ (G, 0, …)} was taken
     * @param cut             the first start's cut (0 when nothing is left out)
     */
    public StreamSorter(int stream, CommitDecisions decisions, StreamCheckpoint from, long globalWatermark, long cut) {
        this.stream = stream;
        this.decisions = Objects.requireNonNull(decisions, "decisions");
        this.cut = cut;
        this.from = Objects.requireNonNull(from, "from");
        this.donePrepares = from.donePrepares();
        this.lastLocal = from.lastLocal();
        this.watermark = Math.max(globalWatermark, from.watermark());
        this.afterCut = from.afterCut();
    }

    /** An XA branch was prepared; {@code payload} holds its row events. */
    public void prepared(long position, Gtrid gtrid, P payload) {
        Objects.requireNonNull(gtrid, "gtrid");
        long ordinal = arrive(position, PREPARED);
        if (nextDonePrepare < donePrepares.length && donePrepares[nextDonePrepare] == position) {
            nextDonePrepare++; // handed over before the restart
            return;
        }
        if (awaiting != null) {
            deferred.add(new Deferred<>(PREPARED, position, ordinal, gtrid, payload, 0));
        } else {
            passPrepared(position, ordinal, gtrid, payload);
        }
    }

    /** XA COMMIT of the branch of {@code gtrid} on this stream. */
    public void committed(long position, Gtrid gtrid) {
        Objects.requireNonNull(gtrid, "gtrid");
        long ordinal = arrive(position, COMMITTED);
        if (awaiting != null) {
            deferred.add(new Deferred<>(COMMITTED, position, ordinal, gtrid, null, 0));
        } else {
            passCommitted(position, ordinal, gtrid);
        }
    }

    /** XA ROLLBACK of a prepared branch of {@code gtrid} on this stream. */
    public void rolledBack(long position, Gtrid gtrid) {
        Objects.requireNonNull(gtrid, "gtrid");
        long ordinal = arrive(position, ROLLED_BACK);
        if (awaiting != null) {
            deferred.add(new Deferred<>(ROLLED_BACK, position, ordinal, gtrid, null, 0));
        } else {
            passRolledBack(position, gtrid);
        }
    }

    /** A plain transaction of this data node alone committed. */
    public void localCommit(long position, P payload) {
        long ordinal = arrive(position, LOCAL);
        if (position <= lastLocal) {
            return; // taken before the restart
        }
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

    /** A commit_log row was read on this stream at {@code position}: it takes part in the stream order. */
    public void rowRead(long position) {
        arrive(position, ROW);
    }

    /** Keeps the row just read at {@code position} to be read again after a restart, until {@link #unpinRow}. */
    public long pinRow(long position) {
        return rows.add(position, floorAt(position));
    }

    public void unpinRow(long pin) {
        rows.retire(pin);
    }

    /**
     * The commit_log row of {@code gtrid}, saying {@code cts}, has been read (on any stream). If this stream
     * waits for that cts, it resumes and passes what it deferred, up to the next commit with an unknown cts.
     */
    public void ctsLearned(Gtrid gtrid, long cts) {
        if (awaiting == null || !awaiting.gtrid.equals(gtrid)) {
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

    /** Takes the committed transaction with the smallest key: it counts as handed over from now on. */
    public KeyedTransaction<P> poll() {
        KeyedTransaction<P> t = committed.poll();
        if (t != null) {
            items.retire(t.seq);
            if (t.gtrid == null) {
                lastLocal = t.position;
            } else {
                preparesDone.add(t.position);
            }
        }
        return t;
    }

    public int stream() {
        return stream;
    }

    /** {@code W_k}: every transaction of this stream with a key {@code ≤ (W_k, 0, …)} has been committed here. */
    public long watermark() {
        return watermark;
    }

    /**
     * The earliest position that must be read again to get back everything this stream holds that is
     * not yet taken: unresolved branches (a long-prepared branch pins it), committed transactions and the
     * commit_log rows pinned. Deferred events need no term of their own: the branch whose commit they wait
     * behind is unresolved and was prepared before them. While events are deferred it can be earlier than
     * strictly needed (a deferred ROLLBACK has not released its branch yet); re-reading more is safe. When
     * nothing is held it is the last position read (that event is recognised when read again).
     */
    public long restartPosition() {
        long r = Math.min(items.firstPosition(), rows.firstPosition());
        if (r == Long.MAX_VALUE) {
            r = lastPosition != StreamCheckpoint.NONE ? lastPosition : from.restartPosition();
        }
        while (!preparesDone.isEmpty() && preparesDone.peek() < r) {
            preparesDone.poll();
        }
        return r;
    }

    /**
     * This stream's part of a checkpoint consistent with everything taken so far, given the global
     * watermark {@code G}. Costs the number of PREPAREs taken since the restart position, not the number
     * of transactions held.
     */
    public StreamCheckpoint checkpoint(long globalWatermark) {
        long restart = restartPosition();
        long itemAt = items.firstPosition();
        long rowAt = rows.firstPosition();
        long floorThen;
        if (itemAt == Long.MAX_VALUE && rowAt == Long.MAX_VALUE) {
            floorThen = lastPosition != StreamCheckpoint.NONE ? floorAt(lastPosition) : from.watermark();
        } else if (itemAt != rowAt) {
            floorThen = itemAt < rowAt ? items.firstFloor() : rows.firstFloor();
        } else {
            floorThen = Math.min(items.firstFloor(), rows.firstFloor());
        }
        int kept = Arrays.binarySearch(donePrepares, restart);
        kept = kept >= 0 ? kept : -kept - 1;
        long[] done = new long[donePrepares.length - kept + preparesDone.size()];
        int n = 0;
        for (int i = kept; i < donePrepares.length; i++) {
            done[n++] = donePrepares[i];
        }
        for (long p : preparesDone) {
            done[n++] = p;
        }
        Arrays.sort(done);
        return new StreamCheckpoint(restart, Math.max(from.readUpTo(), lastPosition), from.beforeCut(), afterCut,
                Math.max(globalWatermark, floorThen), lastLocal, done);
    }

    /** COMMITs and ROLLBACKs before the first start's cut position whose PREPARE precedes the start position. */
    public long orphanResolutions() {
        return orphans;
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

    private long arrive(long position, byte kind) {
        if (lastPosition == StreamCheckpoint.NONE) {
            boolean resumed = from.readUpTo() != StreamCheckpoint.NONE;
            if (resumed ? position != from.restartPosition() : position < from.restartPosition()) {
                throw new IllegalArgumentException("stream " + stream + ": the first event read is at position " + position
                        + " but the stream must be read from " + (resumed ? "exactly " : "") + "its restart position "
                        + from.restartPosition()
                        + (resumed ? "; read from anywhere else, transactions would be lost or repeated" : ""));
            }
        } else if (position < lastPosition || position == lastPosition && kind != ROW) {
            throw new IllegalArgumentException("stream " + stream + ": event at position " + position
                    + " after one at " + lastPosition + "; events must be given in binlog order");
        }
        if (nextDonePrepare < donePrepares.length) {
            long expected = donePrepares[nextDonePrepare];
            if (expected < position || expected == position && kind != PREPARED) {
                throw new IllegalStateException("stream " + stream + ": read again from " + from.restartPosition()
                        + ", the stream has no XA PREPARE at position " + expected + " where one was read before the"
                        + " restart (the next event is at " + position + "): this is not the binlog read before");
            }
        }
        lastPosition = position;
        return kind == ROW ? events : ++events;
    }

    /**
     * {@code floor_k} at the pass point, for a local committed at {@code position}: the first component of
     * its key. Once past {@link #afterCut} it is at least the cut (a valid probe there: the cut was read
     * before that binlog end).
     */
    private long floorAt(long position) {
        return Math.max(Math.max(maxCommitCts, watermark), position >= afterCut ? cut : 0);
    }

    private void pass(Deferred<P> d) {
        switch (d.kind) {
            case PREPARED -> passPrepared(d.position, d.ordinal, d.gtrid, d.payload);
            case COMMITTED -> passCommitted(d.position, d.ordinal, d.gtrid);
            case ROLLED_BACK -> passRolledBack(d.position, d.gtrid);
            case LOCAL -> passLocal(d.position, d.payload);
            default -> offerCandidate(d.ordinal, d.tso);
        }
    }

    private void passPrepared(long position, long ordinal, Gtrid gtrid, P payload) {
        if (unresolved.containsKey(gtrid)) {
            throw new ProtocolViolationException("stream " + stream + ": XA branch '" + gtrid
                    + "' prepared again at position " + position + " while its earlier PREPARE is unresolved");
        }
        KeyedTransaction<P> branch = new KeyedTransaction<>(stream, position, gtrid, payload, ordinal,
                items.add(position, floorAt(position)), null);
        unresolved.put(gtrid, branch);
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
            orphan(position, gtrid, true);
            return;
        }
        long cts = decisions.ctsOf(gtrid);
        if (cts == CommitDecisions.UNKNOWN && position < from.beforeCut()) {
            // Committed before the cut was read, so below it: its row may precede every start position.
            decisions.committedBelowCut(stream, position, gtrid);
            unlink(branch);
            items.retire(branch.seq);
            preparesDone.add(branch.position);
            advanceEffective();
            return;
        }
        if (cts == CommitDecisions.UNKNOWN) {
            awaiting = branch;
            awaitingPosition = position;
            awaitingOrdinal = ordinal;
            return;
        }
        commit(branch, position, ordinal, cts);
    }

    private void passRolledBack(long position, Gtrid gtrid) {
        KeyedTransaction<P> branch = unresolved.get(gtrid);
        if (branch == null) {
            orphan(position, gtrid, false);
            return;
        }
        decisions.rolledBack(stream, position, gtrid);
        unlink(branch);
        items.retire(branch.seq); // read again, its PREPARE and ROLLBACK replay harmlessly: not listed as done
        advanceEffective();
    }

    /**
     * A resolution without a PREPARE: read again after a restart (its branch was done), or of a branch prepared
     * before the first start position. The first start finds every branch prepared then that is resolved after
     * the cut position (XA RECOVER lists it): one resolved before is below the cut, one resolved after means the
     * start positions were too late.
     */
    private void orphan(long position, Gtrid gtrid, boolean commit) {
        if (position <= from.readUpTo()) {
            return;
        }
        if (position >= from.beforeCut()) {
            throw new ProtocolViolationException("stream " + stream + ": XA " + (commit ? "COMMIT" : "ROLLBACK") + " of '"
                    + gtrid + "' at position " + position + ", whose XA PREPARE precedes the first start position "
                    + from.restartPosition() + ", comes after the first start's cut position " + from.beforeCut()
                    + ": the start positions were too late and that branch would be missing from the global binlog."
                    + " Start again: every branch XA RECOVER lists must be read from its PREPARE");
        }
        if (commit) {
            decisions.committedBelowCut(stream, position, gtrid);
        } else {
            decisions.rolledBack(stream, position, gtrid);
        }
        orphans++;
    }

    private void passLocal(long position, P payload) {
        if (position < afterCut) {
            lastLocal = position; // at or below the first start's cut: left out
            return;
        }
        long floor = floorAt(position);
        committed.add(new KeyedTransaction<>(stream, position, null, payload, 0, items.add(position, floor),
                SortKey.local(floor, stream, position)));
    }

    private void commit(KeyedTransaction<P> branch, long position, long ordinal, long cts) {
        if (cts == 0) {
            throw new ProtocolViolationException("stream " + stream + ": XA branch '" + branch.gtrid
                    + "' committed at position " + position
                    + " but its __gbinlog.commit_log row decided to abort it (cts 0)");
        }
        unlink(branch);
        branch.key = SortKey.distributed(cts, branch.gtrid);
        committed.add(branch);
        maxCommitCts = Math.max(maxCommitCts, cts);
        if (cts > cut && position < afterCut) {
            afterCut = position + 1; // a local after this commit must follow it, above the cut
        }
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
