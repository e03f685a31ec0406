package io.gbinlog.merger.merge;

import io.gbinlog.collector.ordering.Gtrid;
import io.gbinlog.collector.ordering.Holdup;
import io.gbinlog.collector.ordering.KeyedTransaction;
import io.gbinlog.collector.ordering.ProtocolViolationException;
import io.gbinlog.collector.ordering.SortKey;
import io.gbinlog.collector.ordering.StreamSorter;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The whole ordering rule (design §3) over all streams: one {@link StreamSorter} per data node, the
 * commit_log rows joined by gtrid, and the k-way merge. With {@code G = min_k W_k}, every transaction
 * with a key {@code ≤ (G, 0, …)} is handed to the sink, in key order, a distributed one as one
 * transaction of all its branches. Rolled-back branches and decided aborts produce nothing.
 *
 * <p>Each stream's events are given in that stream's binlog order; streams interleave freely. A
 * commit_log row is given as soon as it is read: it is never queued behind its stream's other events,
 * so a stream waiting for a cts cannot keep another stream from delivering it.
 *
 * <p>Single-threaded and free of I/O: the sink runs inside the input call that raised {@code G} and
 * must not call back into this merger. After a {@link ProtocolViolationException} the merger is unusable:
 * the cluster's binlogs admit no correct order, and an operator has to look.
 */
public final class TransactionMerger<P> {

    private final StreamSorter<P>[] streams;
    private final CommitLogRows commitLog = new CommitLogRows();
    private final Consumer<? super GlobalTransaction<P>> sink;
    private final long partialUpTo;
    private long globalWatermark;
    private SortKey lastEmittedKey;

    public TransactionMerger(int streamCount, Consumer<? super GlobalTransaction<P>> sink) {
        this(streamCount, 0, sink);
    }

    /**
     * A merger whose streams start where an earlier run (or the first start's cut) left off.
     *
     * @param partialUpTo distributed transactions with a cts up to this were already emitted by an earlier run, or
     *                    precede the first start's cut: the streams may hold only some of their branches (the others
     *                    lie before the start positions), so they are passed on as read, without the check that every
     *                    participant committed a branch. The caller drops them. 0: the streams start at the beginning.
     */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public TransactionMerger(int streamCount, long partialUpTo, Consumer<? super GlobalTransaction<P>> sink) {
        if (streamCount < 1) {
            throw new IllegalArgumentException("stream count " + streamCount + " must be at least 1");
        }
        this.sink = Objects.requireNonNull(sink, "sink");
        this.partialUpTo = partialUpTo;
        this.streams = new StreamSorter[streamCount];
        for (int k = 0; k < streamCount; k++) {
            streams[k] = new StreamSorter<>(k, commitLog);
        }
    }

    public void prepared(int stream, long position, Gtrid gtrid, P payload) {
        sorter(stream).prepared(position, gtrid, payload);
    }

    public void committed(int stream, long position, Gtrid gtrid) {
        StreamSorter<P> s = sorter(stream);
        long before = s.watermark();
        s.committed(position, gtrid);
        watermarkMoved(before, s);
    }

    public void rolledBack(int stream, long position, Gtrid gtrid) {
        StreamSorter<P> s = sorter(stream);
        long before = s.watermark();
        s.rolledBack(position, gtrid);
        watermarkMoved(before, s);
    }

    public void localCommit(int stream, long position, P payload) {
        sorter(stream).localCommit(position, payload);
    }

    /** See {@link StreamSorter#probeReached}. */
    public void probeReached(int stream, long tso) {
        StreamSorter<P> s = sorter(stream);
        long before = s.watermark();
        s.probeReached(tso);
        watermarkMoved(before, s);
    }

    /**
     * A {@code __gbinlog.commit_log} row read on {@code stream}: {@code cts} 0 is a decided abort,
     * {@code participants} the number of data nodes in its participants column.
     */
    public void commitLogRow(int stream, long position, Gtrid gtrid, long cts, int participants) {
        sorter(stream);
        Objects.requireNonNull(gtrid, "gtrid");
        if (!commitLog.add(stream, position, gtrid, cts, participants, globalWatermark)) {
            return;
        }
        for (StreamSorter<P> s : streams) {
            s.ctsLearned(gtrid);
        }
        advance();
    }

    /** {@code G}: everything with a key {@code ≤ (G, 0, …)} has been emitted. */
    public long globalWatermark() {
        return globalWatermark;
    }

    public long watermark(int stream) {
        return sorter(stream).watermark();
    }

    public long floor(int stream) {
        return sorter(stream).floor();
    }

    /** The key of the last transaction emitted; null before the first. */
    public SortKey lastEmittedKey() {
        return lastEmittedKey;
    }

    /**
     * The earliest position of {@code stream} to read again after a restart so that nothing not yet
     * emitted is missed, commit_log rows included; {@link StreamSorter#NOTHING_TO_REREAD} when the
     * stream holds nothing (then resume where the stream has been read up to).
     */
    public long restartPosition(int stream) {
        return Math.min(sorter(stream).restartPosition(), commitLog.restartPosition(stream));
    }

    /** What holds streams back, for at least {@code minEventsSince} events of their stream. */
    public List<Holdup> holdups(long minEventsSince) {
        List<Holdup> holdups = new ArrayList<>();
        for (StreamSorter<P> s : streams) {
            holdups.addAll(s.holdups(minEventsSince));
        }
        return holdups;
    }

    /** COMMITs and ROLLBACKs whose PREPARE was never read (it precedes the stream's start position). */
    public long orphanResolutions() {
        long n = 0;
        for (StreamSorter<P> s : streams) {
            n += s.orphanResolutions();
        }
        return n;
    }

    /** commit_log rows with a cts whose branches were never read (they precede the start positions). */
    public long unclaimedCommitLogRows() {
        return commitLog.unclaimed();
    }

    private StreamSorter<P> sorter(int stream) {
        if (stream < 0 || stream >= streams.length) {
            throw new IllegalArgumentException("stream " + stream + " is not one of the " + streams.length + " streams");
        }
        return streams[stream];
    }

    /** G can only rise when a stream that was at G moved. */
    private void watermarkMoved(long before, StreamSorter<P> s) {
        if (before == globalWatermark && s.watermark() != before) {
            advance();
        }
    }

    private void advance() {
        long g = Long.MAX_VALUE;
        for (StreamSorter<P> s : streams) {
            g = Math.min(g, s.watermark());
        }
        if (g == globalWatermark) {
            return;
        }
        globalWatermark = g;
        emitUpTo(g);
        commitLog.retireUpTo(g);
    }

    private void emitUpTo(long g) {
        while (true) {
            KeyedTransaction<P> head = null;
            for (StreamSorter<P> s : streams) {
                KeyedTransaction<P> t = s.peek();
                if (t != null && (head == null || t.key().compareTo(head.key()) < 0)) {
                    head = t;
                }
            }
            if (head == null || !head.key().coveredBy(g)) {
                return;
            }
            if (head.key().isLocal()) {
                streams[head.stream()].poll();
                emit(new GlobalTransaction<>(head.key(), new int[] {head.stream()}, new Object[] {head.payload()}));
            } else {
                emitJoined(head.key());
            }
        }
    }

    /**
     * All branches of a distributed transaction with cts ≤ G have been committed on their streams (F2),
     * and branches of one transaction share the key, so they are the heads of their streams now.
     */
    private void emitJoined(SortKey key) {
        int branches = 0;
        for (StreamSorter<P> s : streams) {
            KeyedTransaction<P> t = s.peek();
            if (t != null && t.key().equals(key)) {
                branches++;
            }
        }
        CommitLogRows.Row row = commitLog.take(key.gtrid());
        int[] parts = new int[branches];
        Object[] payloads = new Object[branches];
        int i = 0;
        for (StreamSorter<P> s : streams) {
            KeyedTransaction<P> t = s.peek();
            if (t != null && t.key().equals(key)) {
                s.poll();
                parts[i] = s.stream();
                payloads[i++] = t.payload();
            }
        }
        GlobalTransaction<P> tx = new GlobalTransaction<>(key, parts, payloads);
        if (branches != row.participants && key.timestamp() > partialUpTo) {
            throw new ProtocolViolationException("distributed transaction '" + key.gtrid() + "' (cts " + key.timestamp()
                    + "): its __gbinlog.commit_log row lists " + row.participants + " participants but "
                    + tx + " committed a branch by the time every stream had passed that cts");
        }
        emit(tx);
    }

    private void emit(GlobalTransaction<P> tx) {
        lastEmittedKey = tx.key();
        sink.accept(tx);
    }
}
