package io.gbinlog.merger.merge;

import io.gbinlog.collector.ordering.Gtrid;
import io.gbinlog.collector.ordering.SortKey;
import io.gbinlog.collector.ordering.StreamCheckpoint;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.zip.CRC32;

/**
 * Everything the ordering engine needs to restart after the transactions it had handed over up to a
 * moment ({@link TransactionMerger#checkpoint()}): the data nodes in stream order, the first start's cut,
 * the global watermark {@code G}, the last key handed over, and for each stream a {@link StreamCheckpoint}
 * (where to read it again and how to recognise what was handed over). Commit_log rows read from a binlog
 * are not in it: those still needed pin their stream's restart position and are read again. Only the rows
 * a first start read from the table ({@link CommitDecision}) are carried, until the watermark passes them.
 *
 * <p>Its size is independent of how many transactions the engine holds: about 60 bytes per stream plus,
 * per stream, a varint for each XA PREPARE handed over since the restart position — the branches whose
 * cts is below that of the oldest transaction still held there, though prepared after it (those that
 * overlapped its two-phase commit) — plus the carried rows, at most the branches XA RECOVER listed at the
 * first start.
 *
 * <p>Binary form ({@link #encode()}): magic {@code GBEC}, format version, then the fields, then a CRC-32
 * of everything before it.
 */
public final class EngineCheckpoint {

    private static final int MAGIC = 0x47424543; // "GBEC"
    private static final byte VERSION = 1;
    private static final byte NO_KEY = 0;
    private static final byte DISTRIBUTED_KEY = 1;
    private static final byte LOCAL_KEY = 2;

    private final List<String> nodes;
    private final long cut;
    private final long globalWatermark;
    private final SortKey lastEmittedKey;
    private final StreamCheckpoint[] streams;
    private final List<CommitDecision> decisions;

    EngineCheckpoint(List<String> nodes, long cut, long globalWatermark, SortKey lastEmittedKey, StreamCheckpoint[] streams,
                     List<CommitDecision> decisions) {
        this.nodes = checkNodes(nodes);
        if (streams.length != nodes.size()) {
            throw new IllegalArgumentException(streams.length + " streams for " + nodes.size() + " data nodes " + nodes);
        }
        if (cut < 0 || globalWatermark < 0) {
            throw new IllegalArgumentException("cut " + cut + " and global watermark " + globalWatermark
                    + " must not be negative");
        }
        this.cut = cut;
        this.globalWatermark = globalWatermark;
        this.lastEmittedKey = lastEmittedKey;
        this.streams = streams.clone();
        this.decisions = List.copyOf(decisions);
        for (CommitDecision d : this.decisions) {
            if (d.cts() < 0 || !nodes.containsAll(d.participants())) {
                throw new IllegalArgumentException("commit decision " + d + " has a negative cts or a participant not among "
                        + nodes);
            }
        }
    }

    /**
     * The checkpoint of a first start (design §3, "First start"): data node {@code nodes.get(k)} is stream k,
     * {@code streams.get(k)} is {@link StreamCheckpoint#firstStart}{@code (start, beforeCut, afterCut)}.
     * Transactions with a key {@code ≤ (cut, 0, …)} are left out, all others come out whole, when the start was
     * found in this order:
     * <ol>
     *   <li>on every data node, its binlog end ({@code SHOW MASTER STATUS}); then</li>
     *   <li>on every data node, {@code XA RECOVER}, and right after it the binlog end again: {@code beforeCut}.
     *       Its {@code start} is the first binlog end moved back to the PREPARE of every branch XA RECOVER listed
     *       (StartPositionFinder's search); then</li>
     *   <li>the {@code __gbinlog.commit_log} rows of the gtrids XA RECOVER listed, from every data node's table:
     *       {@code decisions} (their rows may precede every start position); then</li>
     *   <li>the cut, a TSO value; then</li>
     *   <li>on every data node, the binlog end: {@code afterCut}.</li>
     * </ol>
     * A commit before {@code beforeCut} happened before the cut was read, so its cts is below the cut: it is left
     * out without waiting for its row, which may precede every start position. A branch resolved after
     * {@code beforeCut} but prepared before {@code start} was prepared at XA RECOVER: finding one means the start
     * was not done so, and the merger stops. {@code afterCut} makes the locals left out independent of probe
     * timing (see {@link StreamCheckpoint}).
     */
    public static EngineCheckpoint firstStart(List<String> nodes, long cut, List<StreamCheckpoint> streams,
                                              List<CommitDecision> decisions) {
        for (StreamCheckpoint s : streams) {
            if (s.readUpTo() != StreamCheckpoint.NONE) {
                throw new IllegalArgumentException("not a first start: " + s);
            }
        }
        return new EngineCheckpoint(nodes, cut, 0, null, streams.toArray(new StreamCheckpoint[0]), decisions);
    }

    /** The first start of a cluster whose binlogs are read from their very beginning: nothing is left out. */
    public static EngineCheckpoint firstStart(List<String> nodes, long[] startPositions) {
        List<StreamCheckpoint> streams = new ArrayList<>();
        for (long start : startPositions) {
            streams.add(StreamCheckpoint.firstStart(start, start, start));
        }
        return firstStart(nodes, 0, streams, List.of());
    }

    /** The data-node ids; the index of each is its stream number. */
    public List<String> nodes() {
        return nodes;
    }

    public long cut() {
        return cut;
    }

    public long globalWatermark() {
        return globalWatermark;
    }

    /** The key of the last transaction handed over; null if none. */
    public SortKey lastEmittedKey() {
        return lastEmittedKey;
    }

    /** Where the collector of {@code stream} must start reading: exactly there, the start of an event group. */
    public long restartPosition(int stream) {
        return stream(stream).restartPosition();
    }

    /** Rows read from the table at the first start that are still needed. */
    public List<CommitDecision> decisions() {
        return decisions;
    }

    public StreamCheckpoint stream(int stream) {
        if (stream < 0 || stream >= streams.length) {
            throw new IllegalArgumentException("stream " + stream + " is not one of the " + streams.length + " streams");
        }
        return streams[stream];
    }

    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 48 * streams.length);
        putInt(out, MAGIC);
        out.write(VERSION);
        putVarint(out, nodes.size());
        for (String node : nodes) {
            putBytes(out, node.getBytes(StandardCharsets.UTF_8));
        }
        putLong(out, cut);
        putLong(out, globalWatermark);
        if (lastEmittedKey == null) {
            out.write(NO_KEY);
        } else if (lastEmittedKey.isLocal()) {
            out.write(LOCAL_KEY);
            putLong(out, lastEmittedKey.timestamp());
            putVarint(out, lastEmittedKey.stream());
            putLong(out, lastEmittedKey.position());
        } else {
            out.write(DISTRIBUTED_KEY);
            putLong(out, lastEmittedKey.timestamp());
            putBytes(out, lastEmittedKey.gtrid().bytes());
        }
        for (StreamCheckpoint s : streams) {
            putLong(out, s.restartPosition());
            putLong(out, s.readUpTo());
            putLong(out, s.beforeCut());
            putLong(out, s.afterCut());
            putLong(out, s.watermark());
            putLong(out, s.lastLocal());
            long[] done = s.donePrepares();
            putVarint(out, done.length);
            long previous = s.restartPosition();
            for (long p : done) {
                putVarint(out, p - previous); // ascending from the restart position: small, non-negative
                previous = p;
            }
        }
        putVarint(out, decisions.size());
        for (CommitDecision d : decisions) {
            putBytes(out, d.gtrid().bytes());
            putLong(out, d.cts());
            putVarint(out, d.participants().size());
            for (String node : d.participants()) {
                putVarint(out, nodes.indexOf(node));
            }
        }
        CRC32 crc = new CRC32();
        crc.update(out.toByteArray());
        putInt(out, (int) crc.getValue());
        return out.toByteArray();
    }

    /** Reads what {@link #encode()} wrote; refuses, saying why, anything else. */
    public static EngineCheckpoint decode(byte[] bytes) {
        ByteBuffer in = ByteBuffer.wrap(bytes);
        try {
            if (in.getInt() != MAGIC) {
                throw new IllegalArgumentException("not a gbinlog engine checkpoint (no GBEC magic)");
            }
            byte version = in.get();
            if (version != VERSION) {
                throw new IllegalArgumentException("engine checkpoint format version " + version
                        + " is not readable by this gbinlog, which reads version " + VERSION);
            }
            CRC32 crc = new CRC32();
            crc.update(bytes, 0, bytes.length - 4);
            if ((int) crc.getValue() != ByteBuffer.wrap(bytes, bytes.length - 4, 4).getInt()) {
                throw new IllegalArgumentException("engine checkpoint is damaged: its CRC-32 does not match");
            }
            int nodeCount = getCount(in);
            List<String> nodes = new ArrayList<>(nodeCount);
            for (int i = 0; i < nodeCount; i++) {
                nodes.add(new String(getBytes(in), StandardCharsets.UTF_8));
            }
            long cut = in.getLong();
            long globalWatermark = in.getLong();
            SortKey last = switch (in.get()) {
                case NO_KEY -> null;
                case LOCAL_KEY -> SortKey.local(in.getLong(), getCount(in), in.getLong());
                case DISTRIBUTED_KEY -> {
                    long cts = in.getLong();
                    yield SortKey.distributed(cts, Gtrid.of(getBytes(in)));
                }
                default -> throw new IllegalArgumentException("engine checkpoint has an unknown key kind");
            };
            StreamCheckpoint[] streams = new StreamCheckpoint[nodeCount];
            for (int k = 0; k < nodeCount; k++) {
                long restart = in.getLong();
                long readUpTo = in.getLong();
                long beforeCut = in.getLong();
                long afterCut = in.getLong();
                long watermark = in.getLong();
                long lastLocal = in.getLong();
                long[] done = new long[getCount(in)];
                long previous = restart;
                for (int i = 0; i < done.length; i++) {
                    previous += getVarint(in);
                    done[i] = previous;
                }
                streams[k] = new StreamCheckpoint(restart, readUpTo, beforeCut, afterCut, watermark, lastLocal, done);
            }
            List<CommitDecision> decisions = new ArrayList<>();
            for (int n = getCount(in); n > 0; n--) {
                Gtrid gtrid = Gtrid.of(getBytes(in));
                long cts = in.getLong();
                List<String> participants = new ArrayList<>();
                for (int p = getCount(in); p > 0; p--) {
                    long k = getVarint(in);
                    if (k >= nodeCount) {
                        throw new IllegalArgumentException("engine checkpoint names data node " + k + " of " + nodeCount);
                    }
                    participants.add(nodes.get((int) k));
                }
                decisions.add(new CommitDecision(gtrid, cts, participants));
            }
            if (in.remaining() != 4) {
                throw new IllegalArgumentException("engine checkpoint has " + (in.remaining() - 4)
                        + " unexpected bytes at its end");
            }
            return new EngineCheckpoint(nodes, cut, globalWatermark, last, streams, decisions);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("engine checkpoint is truncated (" + bytes.length + " bytes)", e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EngineCheckpoint c && nodes.equals(c.nodes) && cut == c.cut
                && globalWatermark == c.globalWatermark && Objects.equals(lastEmittedKey, c.lastEmittedKey)
                && Arrays.equals(streams, c.streams) && decisions.equals(c.decisions);
    }

    @Override
    public int hashCode() {
        return Objects.hash(nodes, cut, globalWatermark, lastEmittedKey, Arrays.hashCode(streams), decisions);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("engine checkpoint: cut ").append(cut).append(", G ").append(globalWatermark)
                .append(", last emitted ").append(lastEmittedKey);
        for (int k = 0; k < streams.length; k++) {
            s.append("; ").append(nodes.get(k)).append(": ").append(streams[k]);
        }
        return decisions.isEmpty() ? s.toString() : s.append("; rows from the table ").append(decisions).toString();
    }

    private static List<String> checkNodes(List<String> nodes) {
        if (nodes.isEmpty()) {
            throw new IllegalArgumentException("no data nodes");
        }
        if (nodes.stream().anyMatch(String::isBlank)) {
            throw new IllegalArgumentException("data node ids " + nodes + " include a blank one");
        }
        if (new HashSet<>(nodes).size() != nodes.size()) {
            throw new IllegalArgumentException("data node ids " + nodes + " are not unique");
        }
        return List.copyOf(nodes);
    }

    private static void putInt(ByteArrayOutputStream out, int v) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            out.write(v >>> shift);
        }
    }

    private static void putLong(ByteArrayOutputStream out, long v) {
        putInt(out, (int) (v >>> 32));
        putInt(out, (int) v);
    }

    private static void putVarint(ByteArrayOutputStream out, long v) {
        while ((v & ~0x7fL) != 0) {
            out.write((int) (v & 0x7f) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
    }

    private static void putBytes(ByteArrayOutputStream out, byte[] b) {
        putVarint(out, b.length);
        out.write(b, 0, b.length);
    }

    private static long getVarint(ByteBuffer in) {
        long v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            byte b = in.get();
            v |= (long) (b & 0x7f) << shift;
            if (b >= 0) {
                return v;
            }
        }
        throw new IllegalArgumentException("engine checkpoint has a malformed number");
    }

    private static int getCount(ByteBuffer in) {
        long n = getVarint(in);
        if (n < 0 || n > in.remaining()) {
            throw new IllegalArgumentException("engine checkpoint has an impossible count " + n);
        }
        return (int) n;
    }

    private static byte[] getBytes(ByteBuffer in) {
        byte[] b = new byte[getCount(in)];
        in.get(b);
        return b;
    }
}
