package io.gbinlog.merger.merge;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * A random history of a cluster that follows the distributed transaction protocol of design §2,
 * seen as each data node's binlog plus the probes, i.e. as the per-stream event sequences a
 * collector would deliver.
 *
 * <p>One global clock drives everything, so the protocol's timing holds by construction: a cts is
 * allocated only after all prepares of its transaction, its commit_log row is written on the primary
 * after that, the XA COMMITs after the row; a probe takes its TSO value before it snapshots a
 * binlog's end. Between those steps every other transaction runs, and some sleep for long (long-prepared
 * branches, coordinators that crash and are recovered later).
 */
final class ClusterHistory {

    enum Kind { PREPARED, COMMITTED, ROLLED_BACK, LOCAL, COMMIT_LOG_ROW, PROBE }

    /** One element of a stream: {@code value} is the cts of a row or the TSO of a probe. */
    record Event(Kind kind, long position, String gtrid, Object payload, long value, int participants) {
        @Override
        public String toString() {
            return switch (kind) {
                case PREPARED -> "@" + position + " PREPARE " + gtrid;
                case COMMITTED -> "@" + position + " COMMIT " + gtrid;
                case ROLLED_BACK -> "@" + position + " ROLLBACK " + gtrid;
                case LOCAL -> "@" + position + " LOCAL " + payload;
                case COMMIT_LOG_ROW -> "@" + position + " ROW " + gtrid + " cts=" + value + " n=" + participants;
                case PROBE -> "PROBE " + value;
            };
        }
    }

    /** Size of a history: data nodes and transactions (distributed and local). */
    record Shape(int dataNodes, int transactions) {}

    final List<List<Event>> streams;

    private ClusterHistory(List<List<Event>> streams) {
        this.streams = streams;
    }

    int size() {
        return streams.stream().mapToInt(List::size).sum();
    }

    static ClusterHistory generate(Random rnd, Shape shape) {
        return new Generator(rnd, shape).run();
    }

    private enum Plan { COMMIT, ABORT_BEFORE_PREPARE, ABORT_AFTER_PREPARE, DECIDED_ABORT, ABORT_AFTER_TSO }

    private enum Phase { PREPARE, TSO, ROW, RESOLVE, DONE }

    private static final class Generator {
        final Random rnd;
        final Shape shape;
        final List<List<Event>> binlogs = new ArrayList<>();
        final long[] lastPosition;
        /** Per data node: {binlog size when the probe snapshotted it, TSO value}. */
        final List<List<long[]>> probes = new ArrayList<>();
        final List<Integer> busyNodes = new ArrayList<>();
        final List<Transaction> active = new ArrayList<>();
        long tso = 1_000;
        long clock;
        int started;

        Generator(Random rnd, Shape shape) {
            this.rnd = rnd;
            this.shape = shape;
            this.lastPosition = new long[shape.dataNodes()];
            for (int dn = 0; dn < shape.dataNodes(); dn++) {
                binlogs.add(new ArrayList<>());
                probes.add(new ArrayList<>());
                lastPosition[dn] = rnd.nextInt(1000);
                busyNodes.add(dn);
            }
            // Sometimes a data node gets no writes at all: only probes move its stream.
            if (shape.dataNodes() > 1 && rnd.nextInt(4) == 0) {
                busyNodes.remove(rnd.nextInt(busyNodes.size()));
            }
        }

        ClusterHistory run() {
            int probePercent = 3 + rnd.nextInt(20);
            int distributedPercent = 10 + rnd.nextInt(60);
            while (started < shape.transactions() || !active.isEmpty()) {
                clock++;
                int r = rnd.nextInt(100);
                if (r < probePercent) {
                    probe(rnd.nextInt(shape.dataNodes()));
                } else if (started < shape.transactions() && r < probePercent + 30) {
                    started++;
                    if (rnd.nextInt(100) < distributedPercent) {
                        active.add(new Transaction(this, "g" + started));
                    } else {
                        int dn = busyNodes.get(rnd.nextInt(busyNodes.size()));
                        append(dn, Kind.LOCAL, null, "L" + started + "@dn" + dn, 0, 0);
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
            return new ClusterHistory(deliver());
        }

        long nextTso() {
            tso += 1 + rnd.nextInt(3);
            return tso;
        }

        void probe(int dn) {
            probes.get(dn).add(new long[] {binlogs.get(dn).size(), nextTso()});
        }

        void append(int dn, Kind kind, String gtrid, Object payload, long value, int participants) {
            lastPosition[dn] += 1 + rnd.nextInt(20);
            binlogs.get(dn).add(new Event(kind, lastPosition[dn], gtrid, payload, value, participants));
        }

        /**
         * Each stream in binlog order with its probes: a probe reaches the stream once it has read up to
         * the probe's snapshot; sometimes the collector notices a few events later, which is allowed.
         */
        List<List<Event>> deliver() {
            List<List<Event>> streams = new ArrayList<>();
            for (int dn = 0; dn < shape.dataNodes(); dn++) {
                List<Event> binlog = binlogs.get(dn);
                List<long[]> due = new ArrayList<>();
                for (long[] p : probes.get(dn)) {
                    long at = p[0] + (rnd.nextInt(5) == 0 ? rnd.nextInt(4) : 0);
                    due.add(new long[] {Math.min(at, binlog.size()), p[1]});
                }
                due.sort(Comparator.<long[]>comparingLong(p -> p[0]).thenComparingLong(p -> p[1]));
                List<Event> stream = new ArrayList<>(binlog.size() + due.size());
                int next = 0;
                for (int i = 0; i <= binlog.size(); i++) {
                    while (next < due.size() && due.get(next)[0] == i) {
                        stream.add(new Event(Kind.PROBE, 0, null, null, due.get(next++)[1], 0));
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

    /** A coordinator running one distributed transaction step by step. */
    private static final class Transaction {
        final Generator h;
        final String gtrid;
        final Plan plan;
        /** Participants in the coordinator's order: the first is the primary. */
        final List<Integer> participants;
        final List<Integer> toPrepare;
        final List<Integer> prepared = new ArrayList<>();
        final List<Integer> toResolve = new ArrayList<>();
        final int prepareTarget;
        Phase phase = Phase.PREPARE;
        long cts;
        long sleepUntil;

        Transaction(Generator h, String gtrid) {
            this.h = h;
            this.gtrid = gtrid;
            Random rnd = h.rnd;
            List<Integer> nodes = new ArrayList<>(h.busyNodes);
            Collections.shuffle(nodes, rnd);
            this.participants = new ArrayList<>(nodes.subList(0, 1 + rnd.nextInt(Math.min(4, nodes.size()))));
            this.toPrepare = new ArrayList<>(participants);
            int p = rnd.nextInt(100);
            this.plan = p < 70 ? Plan.COMMIT
                    : p < 77 ? Plan.ABORT_BEFORE_PREPARE
                    : p < 84 ? Plan.ABORT_AFTER_PREPARE
                    : p < 92 ? Plan.DECIDED_ABORT
                    : Plan.ABORT_AFTER_TSO;
            int n = participants.size();
            this.prepareTarget = switch (plan) {
                case ABORT_BEFORE_PREPARE -> rnd.nextInt(n);        // one participant fails to prepare
                case DECIDED_ABORT -> rnd.nextInt(n + 1);          // recovery of what was left prepared
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
                        h.append(dn, Kind.PREPARED, gtrid, gtrid + "@dn" + dn, 0, 0);
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
                    h.append(participants.get(0), Kind.COMMIT_LOG_ROW, gtrid, null, rowCts, participants.size());
                    phase = Phase.RESOLVE;
                }
                case RESOLVE -> {
                    if (!toResolve.isEmpty()) {
                        Integer dn = toResolve.remove(rnd.nextInt(toResolve.size()));
                        h.append(dn, plan == Plan.COMMIT ? Kind.COMMITTED : Kind.ROLLED_BACK, gtrid, null, 0, 0);
                    }
                    if (toResolve.isEmpty()) {
                        phase = Phase.DONE;
                    }
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
