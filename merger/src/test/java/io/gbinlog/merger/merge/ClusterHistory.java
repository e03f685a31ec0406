package io.gbinlog.merger.merge;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A random history of a cluster that follows the distributed transaction protocol of design §2 (or breaks
 * it once, on purpose), seen as each data node's binlog plus the probes, i.e. as the per-stream event
 * sequences a collector would deliver.
 *
 * <p>One global clock drives everything, so the protocol's timing holds by construction: a cts is
 * allocated only after all prepares of its transaction, its commit_log row is written on the primary
 * after that, the XA COMMITs after the row; a probe takes its TSO value before it snapshots a
 * binlog's end. Between those steps every other transaction runs, and some sleep for long (long-prepared
 * branches, coordinators that crash and are recovered later). Every binlog event carries its clock time.
 *
 * <p>Some branches change nothing and so write nothing to their binlog, though their data node is a
 * participant. Some histories start midway, as a first start does ({@link EngineCheckpoint#firstStart}):
 * every binlog end; then per data node XA RECOVER and its binlog end again, the start being the first binlog
 * end moved back to the PREPAREs XA RECOVER lists; the commit_log rows of the listed gtrids from the tables;
 * the cut, a TSO; every binlog end once more.
 */
final class ClusterHistory {

    enum Kind { PREPARED, COMMITTED, ROLLED_BACK, LOCAL, COMMIT_LOG_ROW, PROBE }

    /** What a history does wrong, once. */
    enum Violation { COMMIT_AFTER_DECIDED_ABORT, ROLLBACK_AFTER_CTS, REUSED_GTRID, UNKNOWN_PARTICIPANT }

    /** One element of a stream: {@code value} is the cts of a row or the TSO of a probe; {@code time} the clock. */
    record Event(Kind kind, long position, String gtrid, Object payload, long value, List<String> participants, long time) {
        @Override
        public String toString() {
            return switch (kind) {
                case PREPARED -> "@" + position + " PREPARE " + gtrid;
                case COMMITTED -> "@" + position + " COMMIT " + gtrid;
                case ROLLED_BACK -> "@" + position + " ROLLBACK " + gtrid;
                case LOCAL -> "@" + position + " LOCAL " + payload;
                case COMMIT_LOG_ROW -> "@" + position + " ROW " + gtrid + " cts=" + value + " " + participants;
                case PROBE -> "PROBE " + value;
            };
        }
    }

    /** Size of a history: data nodes and transactions (distributed and local). */
    record Shape(int dataNodes, int transactions) {}

    /** Each data node's whole binlog with its probes, from its very beginning. */
    final List<List<Event>> fullStreams;
    /** What the collectors deliver: each stream from its start position on. */
    final List<List<Event>> streams;
    /** Where each stream starts, and its binlog ends before and after the cut (for the first start's checkpoint). */
    final long[] startPositions;
    final long[] beforeCut;
    final long[] afterCut;
    /** The first start's cut; 0 when the streams start at the beginning. */
    final long cut;
    /** The rows of what XA RECOVER listed, read from the tables at the first start. */
    final List<CommitDecision> decisions;
    final Violation violation;
    /** The gtrid of the transaction that breaks the protocol; null if none. */
    final String violator;

    private ClusterHistory(List<List<Event>> fullStreams, List<List<Event>> streams, long[] startPositions,
                           long[] beforeCut, long[] afterCut, long cut, List<CommitDecision> decisions, Violation violation,
                           String violator) {
        this.fullStreams = fullStreams;
        this.streams = streams;
        this.startPositions = startPositions;
        this.beforeCut = beforeCut;
        this.afterCut = afterCut;
        this.cut = cut;
        this.decisions = decisions;
        this.violation = violation;
        this.violator = violator;
    }

    static String node(int dn) {
        return "dn" + dn;
    }

    /** Events delivered to the merger. */
    int size() {
        return streams.stream().mapToInt(List::size).sum();
    }

    static ClusterHistory generate(Random rnd, Shape shape, boolean midway, Violation violation) {
        return new Generator(rnd, shape, midway, violation).run();
    }

    private enum Plan { COMMIT, ABORT_BEFORE_PREPARE, ABORT_AFTER_PREPARE, DECIDED_ABORT, ABORT_AFTER_TSO }

    private enum Phase { PREPARE, TSO, ROW, RESOLVE, REUSE_PREPARE, REUSE_COMMIT, DONE }

    private static final class Generator {
        final Random rnd;
        final Shape shape;
        final Violation violation;
        final List<List<Event>> binlogs = new ArrayList<>();
        final long[] lastPosition;
        /** Per data node: {binlog size when the probe snapshotted it, TSO value}. */
        final List<List<long[]>> probes = new ArrayList<>();
        /** Per data node: branches prepared there and not yet resolved, with the binlog index of the PREPARE. */
        final List<Map<String, Integer>> open = new ArrayList<>();
        /** The commit_log table: every row written so far, by gtrid. */
        final Map<String, Event> commitLog = new HashMap<>();
        final List<Integer> busyNodes = new ArrayList<>();
        final List<Transaction> active = new ArrayList<>();
        final Finder finder;
        long tso = 1_000;
        long clock;
        int started;
        String violator;

        Generator(Random rnd, Shape shape, boolean midway, Violation violation) {
            this.rnd = rnd;
            this.shape = shape;
            this.violation = violation;
            this.lastPosition = new long[shape.dataNodes()];
            for (int dn = 0; dn < shape.dataNodes(); dn++) {
                binlogs.add(new ArrayList<>());
                probes.add(new ArrayList<>());
                open.add(new HashMap<>());
                lastPosition[dn] = 1 + rnd.nextInt(1000);
                busyNodes.add(dn);
            }
            // Sometimes a data node gets no writes at all: only probes move its stream.
            if (shape.dataNodes() > 1 && rnd.nextInt(4) == 0) {
                busyNodes.remove(rnd.nextInt(busyNodes.size()));
            }
            this.finder = midway ? new Finder(this, rnd.nextInt(shape.transactions() + 1)) : null;
        }

        ClusterHistory run() {
            int probePercent = 3 + rnd.nextInt(20);
            int distributedPercent = 10 + rnd.nextInt(60);
            while (started < shape.transactions() || !active.isEmpty() || finder != null && !finder.done()) {
                clock++;
                if (finder != null && finder.due() && rnd.nextInt(3) == 0) {
                    finder.step();
                    continue;
                }
                int r = rnd.nextInt(100);
                if (r < probePercent) {
                    probe(rnd.nextInt(shape.dataNodes()));
                } else if (started < shape.transactions() && r < probePercent + 30) {
                    started++;
                    if (rnd.nextInt(100) < distributedPercent) {
                        active.add(new Transaction(this, "g" + started));
                    } else {
                        int dn = busyNodes.get(rnd.nextInt(busyNodes.size()));
                        append(dn, Kind.LOCAL, null, "L" + started + "@dn" + dn, 0, null);
                    }
                } else if (!active.isEmpty()) {
                    Transaction t = active.get(rnd.nextInt(active.size()));
                    if (t.sleepUntil <= clock && t.step()) {
                        active.remove(t);
                    }
                }
            }
            // All quiet: a probe on every data node after everything, so every stream drains.
            for (int dn = 0; dn < shape.dataNodes(); dn++) {
                probe(dn);
            }
            int[] start = finder != null ? finder.start : new int[shape.dataNodes()];
            return new ClusterHistory(deliver(new int[shape.dataNodes()]), deliver(start), positions(start),
                    positions(finder != null ? finder.beforeCut : start), positions(finder != null ? finder.afterCut : start),
                    finder != null ? finder.cut : 0,
                    finder != null ? finder.decisions : List.of(), violation, violator);
        }

        /** The binlog position of each data node's binlog index: where its group starts, or will start. */
        long[] positions(int[] index) {
            long[] positions = new long[index.length];
            for (int dn = 0; dn < index.length; dn++) {
                List<Event> binlog = binlogs.get(dn);
                positions[dn] = index[dn] < binlog.size() ? binlog.get(index[dn]).position() : lastPosition[dn] + 1;
            }
            return positions;
        }

        long nextTso() {
            tso += 1 + rnd.nextInt(3);
            return tso;
        }

        void probe(int dn) {
            probes.get(dn).add(new long[] {binlogs.get(dn).size(), nextTso()});
        }

        void append(int dn, Kind kind, String gtrid, Object payload, long value, List<String> participants) {
            lastPosition[dn] += 1 + rnd.nextInt(20);
            List<Event> binlog = binlogs.get(dn);
            if (kind == Kind.PREPARED) {
                open.get(dn).put(gtrid, binlog.size());
            } else if (kind == Kind.COMMITTED || kind == Kind.ROLLED_BACK) {
                open.get(dn).remove(gtrid);
            }
            Event e = new Event(kind, lastPosition[dn], gtrid, payload, value, participants, clock);
            if (kind == Kind.COMMIT_LOG_ROW) {
                commitLog.put(gtrid, e);
            }
            binlog.add(e);
        }

        /**
         * Each stream in binlog order with its probes, from binlog index {@code start[dn]} on: a probe reaches
         * the stream once it has read up to the probe's snapshot; sometimes the collector notices a few events
         * later, which is allowed. Probes taken before the start are not delivered.
         */
        List<List<Event>> deliver(int[] start) {
            List<List<Event>> streams = new ArrayList<>();
            for (int dn = 0; dn < shape.dataNodes(); dn++) {
                List<Event> binlog = binlogs.get(dn);
                List<long[]> due = new ArrayList<>();
                Random delays = new Random(dn * 31L + binlog.size()); // the same delays for every start
                for (long[] p : probes.get(dn)) {
                    long at = p[0] + (delays.nextInt(5) == 0 ? delays.nextInt(4) : 0);
                    if (p[0] >= start[dn]) {
                        due.add(new long[] {Math.min(at, binlog.size()), p[1]});
                    }
                }
                due.sort(Comparator.<long[]>comparingLong(p -> p[0]).thenComparingLong(p -> p[1]));
                List<Event> stream = new ArrayList<>(binlog.size() + due.size());
                int next = 0;
                for (int i = start[dn]; i <= binlog.size(); i++) {
                    while (next < due.size() && due.get(next)[0] <= i) {
                        stream.add(new Event(Kind.PROBE, 0, null, null, due.get(next++)[1], null, 0));
                    }
                    if (i < binlog.size()) {
                        stream.add(binlog.get(i));
                    }
                }
                streams.add(stream);
            }
            return streams;
        }
    }

    /**
     * The first start, step by step among the other actors: every data node's binlog end; then per data node
     * XA RECOVER and right after it the binlog end again, the start moving back to the PREPARE of every branch
     * XA RECOVER lists; then the rows of the listed gtrids from the tables; the cut, a TSO; every binlog end again.
     */
    private static final class Finder {
        final Generator h;
        final long startClock;
        final List<Integer> order = new ArrayList<>();
        final int[] start;
        final int[] beforeCut;
        final int[] afterCut;
        final List<String> listed = new ArrayList<>();
        final List<CommitDecision> decisions = new ArrayList<>();
        int step;
        long cut;

        Finder(Generator h, int afterTransactions) {
            this.h = h;
            this.startClock = afterTransactions * 3L;
            this.start = new int[h.shape.dataNodes()];
            this.beforeCut = new int[h.shape.dataNodes()];
            this.afterCut = new int[h.shape.dataNodes()];
            for (int dn = 0; dn < start.length; dn++) {
                order.add(dn);
            }
            Collections.shuffle(order, h.rnd);
        }

        boolean due() {
            return h.clock >= startClock && !done();
        }

        boolean done() {
            return step >= 4 * order.size() + 2;
        }

        void step() {
            int n = order.size();
            if (step < n) {
                int dn = order.get(step);
                start[dn] = h.binlogs.get(dn).size(); // SHOW MASTER STATUS
            } else if (step < 3 * n) {
                int dn = order.get((step - n) / 2);
                if ((step - n) % 2 == 0) {
                    for (Map.Entry<String, Integer> branch : h.open.get(dn).entrySet()) { // XA RECOVER
                        start[dn] = Math.min(start[dn], branch.getValue());
                        listed.add(branch.getKey());
                    }
                } else {
                    beforeCut[dn] = h.binlogs.get(dn).size(); // SHOW MASTER STATUS again
                }
            } else if (step == 3 * n) {
                for (String gtrid : listed) {
                    Event row = h.commitLog.get(gtrid);
                    if (row != null && decisions.stream().noneMatch(d -> d.gtrid().toString().equals(gtrid))) {
                        decisions.add(new CommitDecision(io.gbinlog.collector.ordering.Gtrid.of(gtrid), row.value(),
                                row.participants()));
                    }
                }
            } else if (step == 3 * n + 1) {
                cut = h.nextTso();
            } else {
                int dn = order.get(step - 3 * n - 2);
                afterCut[dn] = h.binlogs.get(dn).size(); // SHOW MASTER STATUS after the cut
            }
            step++;
        }
    }

    /** A coordinator running one distributed transaction step by step. */
    private static final class Transaction {
        final Generator h;
        final String gtrid;
        final Plan plan;
        /** Breaks the protocol in the history's way. */
        final boolean violates;
        /** Participants in the coordinator's order: the first is the primary. */
        final List<Integer> participants;
        /** Participants whose branch changes nothing: it writes nothing to their binlog. */
        final List<Integer> empty = new ArrayList<>();
        final List<Integer> toPrepare;
        final List<Integer> prepared = new ArrayList<>();
        final List<Integer> toResolve = new ArrayList<>();
        final int prepareTarget;
        Phase phase = Phase.PREPARE;
        long cts;
        long sleepUntil;
        int reusedOn;

        Transaction(Generator h, String gtrid) {
            this.h = h;
            this.gtrid = gtrid;
            Random rnd = h.rnd;
            List<Integer> nodes = new ArrayList<>(h.busyNodes);
            Collections.shuffle(nodes, rnd);
            this.participants = new ArrayList<>(nodes.subList(0, 1 + rnd.nextInt(Math.min(4, nodes.size()))));
            this.toPrepare = new ArrayList<>(participants);
            this.violates = h.violation != null && h.violator == null && rnd.nextInt(3) == 0;
            int p = rnd.nextInt(100);
            if (violates) {
                h.violator = gtrid;
                this.plan = h.violation == Violation.COMMIT_AFTER_DECIDED_ABORT ? Plan.DECIDED_ABORT : Plan.COMMIT;
            } else {
                this.plan = p < 70 ? Plan.COMMIT
                        : p < 77 ? Plan.ABORT_BEFORE_PREPARE
                        : p < 84 ? Plan.ABORT_AFTER_PREPARE
                        : p < 92 ? Plan.DECIDED_ABORT
                        : Plan.ABORT_AFTER_TSO;
                for (Integer dn : participants) {
                    if (rnd.nextInt(8) == 0) {
                        empty.add(dn);
                    }
                }
            }
            int n = participants.size();
            this.prepareTarget = switch (plan) {
                case ABORT_BEFORE_PREPARE -> rnd.nextInt(n);        // one participant fails to prepare
                case DECIDED_ABORT -> violates ? n : rnd.nextInt(n + 1); // recovery of what was left prepared
                default -> n;
            };
        }

        /** One protocol step; true when the transaction is over. */
        boolean step() {
            Random rnd = h.rnd;
            switch (phase) {
                case PREPARE -> {
                    if (prepared.size() < prepareTarget) {
                        Integer dn = toPrepare.remove(rnd.nextInt(toPrepare.size()));
                        if (!empty.contains(dn)) {
                            h.append(dn, Kind.PREPARED, gtrid, gtrid + "@dn" + dn, 0, null);
                        }
                        prepared.add(dn);
                    } else {
                        phase = switch (plan) {
                            case COMMIT, ABORT_AFTER_TSO -> Phase.TSO;
                            case DECIDED_ABORT -> Phase.ROW;
                            default -> Phase.RESOLVE;
                        };
                        toResolve.addAll(prepared);
                    }
                }
                case TSO -> {
                    // Only now, after every prepare: F1. An ABORT_AFTER_TSO coordinator dies here and
                    // recovery's decided abort wins: this cts is never used.
                    cts = h.nextTso();
                    phase = Phase.ROW;
                }
                case ROW -> {
                    long rowCts = plan == Plan.COMMIT ? cts : 0;
                    List<String> names = new ArrayList<>();
                    for (int dn : participants) {
                        names.add(node(dn));
                    }
                    if (violates && h.violation == Violation.UNKNOWN_PARTICIPANT) {
                        names.add("dn99");
                    }
                    h.append(participants.get(0), Kind.COMMIT_LOG_ROW, gtrid, null, rowCts, List.copyOf(names));
                    phase = Phase.RESOLVE;
                }
                case RESOLVE -> {
                    if (!toResolve.isEmpty()) {
                        Integer dn = toResolve.remove(rnd.nextInt(toResolve.size()));
                        boolean commit = plan == Plan.COMMIT;
                        if (violates && h.violation == Violation.COMMIT_AFTER_DECIDED_ABORT) {
                            commit = true;
                        } else if (violates && h.violation == Violation.ROLLBACK_AFTER_CTS && toResolve.isEmpty()) {
                            commit = false;
                        }
                        if (!empty.contains(dn)) {
                            h.append(dn, commit ? Kind.COMMITTED : Kind.ROLLED_BACK, gtrid, null, 0, null);
                        }
                    }
                    if (toResolve.isEmpty()) {
                        phase = violates && h.violation == Violation.REUSED_GTRID ? Phase.REUSE_PREPARE : Phase.DONE;
                    }
                }
                case REUSE_PREPARE -> {
                    // The coordinator runs another transaction under the same gtrid, without a new row.
                    reusedOn = h.busyNodes.get(rnd.nextInt(h.busyNodes.size()));
                    h.append(reusedOn, Kind.PREPARED, gtrid, gtrid + "-again@dn" + reusedOn, 0, null);
                    phase = Phase.REUSE_COMMIT;
                }
                case REUSE_COMMIT -> {
                    h.append(reusedOn, Kind.COMMITTED, gtrid, null, 0, null);
                    phase = Phase.DONE;
                }
                case DONE -> { }
            }
            // Coordinators stall: briefly often, for long sometimes (a branch stays prepared meanwhile).
            int s = rnd.nextInt(100);
            if (s < 2) {
                sleepUntil = h.clock + 50 + rnd.nextInt(Math.max(50, h.shape.transactions() * 2));
            } else if (s < 30) {
                sleepUntil = h.clock + rnd.nextInt(10);
            }
            return phase == Phase.DONE;
        }
    }
}
