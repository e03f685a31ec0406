package io.gbinlog.merger.merge;

import io.gbinlog.collector.ordering.CommitDecisions;
import io.gbinlog.collector.ordering.Gtrid;
import io.gbinlog.collector.ordering.ProtocolViolationException;

import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.Consumer;

/**
 * The {@code __gbinlog.commit_log} rows read so far, joined by gtrid: each stream learns the cts of its
 * commits here, and the merge learns which data nodes may hold a branch. A row with a cts lives until its
 * transaction is taken, or until the global watermark passes its cts (then no branch of it can still come:
 * it had none on the streams, or they precede the start positions); while it lives its stream keeps it
 * to be read again after a restart.
 *
 * <p>Rows read from the table at a first start ({@link CommitDecision}) belong to no stream: they are carried
 * in the checkpoint instead, until the watermark passes them.
 *
 * <p>Contradictions are caught whichever side is read first, from a bounded memory of recent evidence:
 * decided aborts (rows with cts 0), rolled-back branches, and branches left out below the first start's cut
 * without their row. The newest {@value #EVIDENCE_CAPACITY} are kept; a contradiction older
 * than that shows as a commit held for its row ({@code Holdup}), never as a wrong output.
 */
final class CommitLogRows implements CommitDecisions {

    static final int EVIDENCE_CAPACITY = 1 << 14;

    static final class Row {
        final Gtrid gtrid;
        final long cts;
        final BitSet participants;
        /** Where the row was read; -1 for a row read from the table at a first start. */
        final int stream;
        final long position;
        /** The stream's pin that keeps the row to be read again after a restart. */
        long pin;
        boolean taken;

        Row(Gtrid gtrid, long cts, BitSet participants, int stream, long position) {
            this.gtrid = gtrid;
            this.cts = cts;
            this.participants = participants;
            this.stream = stream;
            this.position = position;
        }
    }

    private enum Seen { DECIDED_ABORT, ROLLED_BACK, COMMITTED_BELOW_CUT }

    private record Evidence(Seen what, int stream, long position) {
    }

    private final List<String> nodes;
    private final long cut;
    private final HashMap<Gtrid, Row> rows = new HashMap<>();
    /** Every live row by cts, so that the watermark can retire rows no branch will ever claim. */
    private final PriorityQueue<Row> byCts = new PriorityQueue<>((a, b) -> Long.compare(a.cts, b.cts));
    /** Live rows read from the table, which no stream can give again. */
    private final LinkedHashMap<Gtrid, Row> carried = new LinkedHashMap<>();
    private final LinkedHashMap<Gtrid, Evidence> evidence = new LinkedHashMap<>() {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Gtrid, Evidence> eldest) {
            return size() > EVIDENCE_CAPACITY;
        }
    };

    /** @param cut the first start's cut: transactions with a cts up to it are not part of the global binlog */
    CommitLogRows(List<String> nodes, long cut) {
        this.nodes = nodes;
        this.cut = cut;
    }

    /**
     * Records a row read on {@code stream}. Returns it when it is kept for branches still to come (the caller
     * pins it on its stream), null when it can matter to no stream: a decided abort, a repeat, or a cts the
     * global watermark already passed.
     */
    Row add(int stream, long position, Gtrid gtrid, long cts, BitSet participants, long globalWatermark) {
        if (cts < 0) {
            throw new ProtocolViolationException(at(stream, position) + ": __gbinlog.commit_log row of '" + gtrid
                    + "' has negative cts " + cts);
        }
        Row earlier = rows.get(gtrid);
        if (earlier != null && earlier.cts != cts) {
            throw new ProtocolViolationException(at(stream, position) + ": __gbinlog.commit_log row of '" + gtrid
                    + "' says cts " + cts + " but the row read " + at(earlier.stream, earlier.position)
                    + " says " + earlier.cts);
        }
        Evidence seen = evidence.get(gtrid);
        if (cts == 0) {
            if (seen != null && seen.what == Seen.COMMITTED_BELOW_CUT) {
                throw committedAfterAbort(gtrid, seen.stream, seen.position);
            }
            if (seen == null || seen.what != Seen.DECIDED_ABORT) {
                evidence.put(gtrid, new Evidence(Seen.DECIDED_ABORT, stream, position));
            }
            return null;
        }
        if (seen != null) {
            switch (seen.what) {
                case DECIDED_ABORT -> throw new ProtocolViolationException(at(stream, position)
                        + ": __gbinlog.commit_log row of '" + gtrid + "' says cts " + cts + " but the row read "
                        + at(seen.stream, seen.position) + " decided to abort it (cts 0)");
                case ROLLED_BACK -> throw new ProtocolViolationException(at(stream, position)
                        + ": __gbinlog.commit_log row of '" + gtrid + "' says cts " + cts
                        + " but its branch was rolled back " + at(seen.stream, seen.position)
                        + " (a committed transaction cannot lose a branch; or the gtrid was reused)");
                case COMMITTED_BELOW_CUT -> {
                    evidence.remove(gtrid);
                    checkBelowCut(seen.stream, seen.position, gtrid, cts);
                }
            }
        }
        if (earlier != null || cts <= globalWatermark) {
            return null;
        }
        Row row = new Row(gtrid, cts, participants, stream, position);
        rows.put(gtrid, row);
        byCts.add(row);
        if (stream < 0) {
            carried.put(gtrid, row);
        }
        return row;
    }

    /** Rows read from the table that are still needed, for the checkpoint. */
    Iterable<Row> carried() {
        return carried.values();
    }

    @Override
    public long ctsOf(Gtrid gtrid) {
        Row row = rows.get(gtrid);
        if (row != null) {
            return row.cts;
        }
        Evidence seen = evidence.get(gtrid);
        return seen != null && seen.what == Seen.DECIDED_ABORT ? 0 : UNKNOWN;
    }

    @Override
    public void rolledBack(int stream, long position, Gtrid gtrid) {
        long cts = ctsOf(gtrid);
        if (cts > 0) {
            throw new ProtocolViolationException(at(stream, position) + ": XA branch '" + gtrid
                    + "' rolled back but its __gbinlog.commit_log row says cts " + cts);
        }
        evidence.putIfAbsent(gtrid, new Evidence(Seen.ROLLED_BACK, stream, position));
    }

    @Override
    public void committedBelowCut(int stream, long position, Gtrid gtrid) {
        long cts = ctsOf(gtrid);
        if (cts == 0) {
            throw committedAfterAbort(gtrid, stream, position);
        } else if (cts == UNKNOWN) {
            evidence.putIfAbsent(gtrid, new Evidence(Seen.COMMITTED_BELOW_CUT, stream, position));
        } else {
            checkBelowCut(stream, position, gtrid, cts);
        }
    }

    /** Removes the row of a transaction being taken. */
    Row take(Gtrid gtrid) {
        Row row = rows.remove(gtrid);
        if (row == null) {
            throw new IllegalStateException("no commit_log row for '" + gtrid + "', yet its branches have a cts");
        }
        row.taken = true;
        carried.remove(gtrid);
        return row;
    }

    /** Called after everything covered by {@code globalWatermark} was taken: rows still unclaimed never will be. */
    void retireUpTo(long globalWatermark, Consumer<Row> retired) {
        while (!byCts.isEmpty() && byCts.peek().cts <= globalWatermark) {
            Row row = byCts.poll();
            if (!row.taken) {
                rows.remove(row.gtrid);
                carried.remove(row.gtrid);
                retired.accept(row);
            }
        }
    }

    private void checkBelowCut(int stream, long position, Gtrid gtrid, long cts) {
        if (cts > cut) {
            throw new ProtocolViolationException(at(stream, position) + ": XA COMMIT of '" + gtrid + "', before the first"
                    + " start's cut position and so left out, has cts " + cts + ", above the first start's cut " + cut
                    + ": its branch there would be missing from the global binlog. The first start was not done as it"
                    + " must be (every binlog end read, then XA RECOVER, then the cut); start again");
        }
    }

    private ProtocolViolationException committedAfterAbort(Gtrid gtrid, int stream, long position) {
        return new ProtocolViolationException(at(stream, position) + ": XA branch '" + gtrid
                + "' committed but its __gbinlog.commit_log row decided to abort it (cts 0)");
    }

    private String at(int stream, long position) {
        return stream < 0 ? "in the __gbinlog.commit_log table at the first start"
                : "on data node " + nodes.get(stream) + " (stream " + stream + ") at position " + position;
    }
}
