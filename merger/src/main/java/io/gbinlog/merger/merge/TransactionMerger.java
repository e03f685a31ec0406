package io.gbinlog.merger.merge;

import io.gbinlog.collector.ordering.Gtrid;
import io.gbinlog.collector.ordering.Holdup;
import io.gbinlog.collector.ordering.KeyedTransaction;
import io.gbinlog.collector.ordering.ProtocolViolationException;
import io.gbinlog.collector.ordering.SortKey;
import io.gbinlog.collector.ordering.StreamCheckpoint;
import io.gbinlog.collector.ordering.StreamSorter;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * The whole ordering rule (design §3) over all streams: one {@link StreamSorter} per data node, the
 * commit_log rows joined by gtrid, and the k-way merge. With {@code G = min_k W_k}, every transaction
 * with a key {@code ≤ (G, 0, …)} is handed to the sink, in key order, a distributed one as one
 * transaction of all its branches. Rolled-back branches and decided aborts produce nothing; neither do
 * transactions at or below the first start's cut.
 *
 * <p>Restart is part of the engine: {@link #checkpoint()} after any input call is consistent with exactly
 * the transactions handed over so far. A merger {@link #resume resumed} from it, whose streams are read
 * again from {@link EngineCheckpoint#restartPosition}, hands over exactly the transactions not handed over
 * before, in key order after them: what it reads a second time of what was handed over (a branch of a
 * transaction already out, its COMMIT, a local) is recognised by position and dropped.
 *
 * <p>Each stream's events are given in that stream's binlog order; streams interleave freely. A
 * commit_log row is given as soon as it is read: it is never queued behind its stream's other events,
 * so a stream waiting for a cts cannot keep another stream from delivering it.
 *
 * <p>Single-threaded and free of I/O: the sink runs inside the input call that raised {@code G} and
 * must not call back into this merger. After a {@link ProtocolViolationException} the merger is unusable:
 * the cluster's binlogs admit no correct global binlog, and an operator has to look.
 */
public final class TransactionMerger<P> {

    private final List<String> nodes;
    private final Map<String, Integer> streamOf = new HashMap<>();
    private final StreamSorter<P>[] streams;
    private final CommitLogRows commitLog;
    private final Consumer<? super GlobalTransaction<P>> sink;
    private final long cut;
    private long globalWatermark;
    private SortKey lastEmittedKey;
    private boolean emitting;

    @SuppressWarnings({"unchecked", "rawtypes"})
    private TransactionMerger(EngineCheckpoint from, Consumer<? super GlobalTransaction<P>> sink) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.nodes = from.nodes();
        this.cut = from.cut();
        this.globalWatermark = from.globalWatermark();
        this.lastEmittedKey = from.lastEmittedKey();
        this.commitLog = new CommitLogRows(nodes, cut);
        this.streams = new StreamSorter[nodes.size()];
        long g = Long.MAX_VALUE;
        for (int k = 0; k < streams.length; k++) {
            streamOf.put(nodes.get(k), k);
            streams[k] = new StreamSorter<>(k, commitLog, from.stream(k), globalWatermark, cut);
            g = Math.min(g, streams[k].watermark());
        }
        // Each stream resumes at a watermark covering only what was handed over: G is their minimum, so that
        // a stream at G is there to raise it.
        this.globalWatermark = g;
        for (CommitDecision d : from.decisions()) {
            BitSet participants = participantStreams(-1, -1, d.gtrid(), d.participants());
            commitLog.add(-1, -1, d.gtrid(), d.cts(), participants, globalWatermark);
        }
    }

    /**
     * A merger that continues from {@code from}, a checkpoint of an earlier merger or
     * {@link EngineCheckpoint#firstStart}. {@code nodes} are the data-node ids configured now, in stream
     * order: they must be the checkpoint's.
     */
    public static <P> TransactionMerger<P> resume(List<String> nodes, EngineCheckpoint from,
                                                  Consumer<? super GlobalTransaction<P>> sink) {
        if (!from.nodes().equals(nodes)) {
            throw new IllegalArgumentException("the checkpoint was written for the data nodes " + from.nodes()
                    + " (streams 0, 1, … in that order) but the configuration lists " + nodes
                    + "; restart with the same data nodes in the same order");
        }
        return new TransactionMerger<>(from, sink);
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
     * {@code participants} the data-node ids of its participants column.
     */
    public void commitLogRow(int stream, long position, Gtrid gtrid, long cts, List<String> participants) {
        StreamSorter<P> s = sorter(stream);
        Objects.requireNonNull(gtrid, "gtrid");
        s.rowRead(position);
        CommitLogRows.Row row = commitLog.add(stream, position, gtrid, cts,
                participantStreams(stream, position, gtrid, participants), globalWatermark);
        if (row != null) {
            row.pin = s.pinRow(position);
        }
        for (StreamSorter<P> t : streams) {
            t.ctsLearned(gtrid, cts);
        }
        advance();
    }

    /**
     * What a restart needs to continue after exactly the transactions handed over so far. Call it between
     * input calls (not from the sink); it costs the number of streams plus the XA PREPAREs handed over since
     * each stream's restart position, not the number of transactions held.
     */
    public EngineCheckpoint checkpoint() {
        if (emitting) {
            throw new IllegalStateException("checkpoint() called from the sink: take it after the input call returns");
        }
        StreamCheckpoint[] parts = new StreamCheckpoint[streams.length];
        for (int k = 0; k < streams.length; k++) {
            parts[k] = streams[k].checkpoint(globalWatermark);
        }
        List<CommitDecision> carried = new ArrayList<>();
        for (CommitLogRows.Row row : commitLog.carried()) {
            List<String> participants = new ArrayList<>();
            row.participants.stream().forEach(k -> participants.add(nodes.get(k)));
            carried.add(new CommitDecision(row.gtrid, row.cts, participants));
        }
        return new EngineCheckpoint(nodes, cut, globalWatermark, lastEmittedKey, parts, carried);
    }

    /** {@code G}: everything with a key {@code ≤ (G, 0, …)} has been emitted. */
    public long globalWatermark() {
        return globalWatermark;
    }

    public long watermark(int stream) {
        return sorter(stream).watermark();
    }

    /** The key of the last transaction emitted; null before the first. */
    public SortKey lastEmittedKey() {
        return lastEmittedKey;
    }

    /** Where {@code stream} would be read again if the merger restarted now; see {@link StreamSorter#restartPosition}. */
    public long restartPosition(int stream) {
        return sorter(stream).restartPosition();
    }

    /** What holds streams back, for at least {@code minEventsSince} events of their stream. */
    public List<Holdup> holdups(long minEventsSince) {
        List<Holdup> holdups = new ArrayList<>();
        for (StreamSorter<P> s : streams) {
            holdups.addAll(s.holdups(minEventsSince));
        }
        return holdups;
    }

    /** COMMITs and ROLLBACKs before the first start's cut positions whose PREPARE precedes the start positions. */
    public long orphanResolutions() {
        long n = 0;
        for (StreamSorter<P> s : streams) {
            n += s.orphanResolutions();
        }
        return n;
    }

    private StreamSorter<P> sorter(int stream) {
        if (stream < 0 || stream >= streams.length) {
            throw new IllegalArgumentException("stream " + stream + " is not one of the " + streams.length + " streams");
        }
        return streams[stream];
    }

    private BitSet participantStreams(int stream, long position, Gtrid gtrid, List<String> participants) {
        if (participants.isEmpty()) {
            throw new ProtocolViolationException(where(stream, position) + ": __gbinlog.commit_log row of '" + gtrid
                    + "' lists no participants");
        }
        BitSet set = new BitSet(nodes.size());
        for (String node : participants) {
            Integer k = streamOf.get(node);
            if (k == null) {
                throw new ProtocolViolationException(where(stream, position) + ": __gbinlog.commit_log row of '"
                        + gtrid + "' lists participant '" + node + "', which is not one of the data nodes gbinlog reads "
                        + nodes + ": its branch there would be missing from the global binlog; configure every data"
                        + " node the coordinators use");
            }
            set.set(k);
        }
        return set;
    }

    /** Built only for a report: this runs for every commit_log row. */
    private String where(int stream, long position) {
        return stream < 0 ? "in the __gbinlog.commit_log table at the first start"
                : "on data node " + nodes.get(stream) + " (stream " + stream + ") at position " + position;
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
        if (g <= globalWatermark) {
            return;
        }
        globalWatermark = g;
        emitting = true;
        try {
            emitUpTo(g);
        } finally {
            emitting = false;
        }
        commitLog.retireUpTo(g, this::unpin);
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
            boolean aboveCut = !head.key().coveredBy(cut);
            if (head.key().isLocal()) {
                streams[head.stream()].poll();
                if (aboveCut) {
                    emit(new GlobalTransaction<>(head.key(), new int[] {head.stream()}, new Object[] {head.payload()}));
                }
            } else {
                takeJoined(head.key(), aboveCut);
            }
        }
    }

    /**
     * All branches of a distributed transaction with cts ≤ G have been committed on their streams (F2),
     * and branches of one transaction share the key, so they are the heads of their streams now. A
     * participant may have no branch: a branch that changed nothing writes nothing to its binlog.
     */
    private void takeJoined(SortKey key, boolean emit) {
        CommitLogRows.Row row = commitLog.take(key.gtrid());
        unpin(row);
        int[] parts = new int[streams.length];
        Object[] payloads = new Object[streams.length];
        int n = 0;
        for (StreamSorter<P> s : streams) {
            KeyedTransaction<P> t = s.peek();
            if (t == null || !t.key().equals(key)) {
                continue;
            }
            if (!row.participants.get(s.stream())) {
                throw new ProtocolViolationException("distributed transaction '" + key.gtrid() + "' (cts " + key.timestamp()
                        + ") committed a branch on data node " + nodes.get(s.stream()) + " at position " + t.position()
                        + ", which its __gbinlog.commit_log row does not list among its participants");
            }
            s.poll();
            KeyedTransaction<P> again = s.peek();
            if (again != null && again.key().equals(key)) {
                throw new ProtocolViolationException("distributed transaction '" + key.gtrid() + "' (cts " + key.timestamp()
                        + ") committed two branches on data node " + nodes.get(s.stream()) + " (prepared at positions "
                        + t.position() + " and " + again.position() + "): the gtrid was reused");
            }
            parts[n] = s.stream();
            payloads[n++] = t.payload();
        }
        if (emit) {
            emit(new GlobalTransaction<>(key, Arrays.copyOf(parts, n), Arrays.copyOf(payloads, n)));
        }
    }

    private void unpin(CommitLogRows.Row row) {
        if (row.stream >= 0) {
            streams[row.stream].unpinRow(row.pin);
        }
    }

    private void emit(GlobalTransaction<P> tx) {
        if (lastEmittedKey != null && tx.key().compareTo(lastEmittedKey) <= 0) {
            throw new ProtocolViolationException("transaction " + tx + " would follow " + lastEmittedKey
                    + " out of key order: the binlogs contradict the facts the order rests on (design §3, F1-F3)");
        }
        lastEmittedKey = tx.key();
        sink.accept(tx);
    }
}
