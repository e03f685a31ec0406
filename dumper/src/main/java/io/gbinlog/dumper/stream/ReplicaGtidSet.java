package io.gbinlog.dumper.stream;

import io.gbinlog.protocol.packet.MalformedPacketException;
import io.gbinlog.protocol.packet.PacketBuffers;
import io.netty.buffer.ByteBuf;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.UUID;

/**
 * The GTID set a replica sends with COM_BINLOG_DUMP_GTID (what it has executed), in MySQL's binary encoding:
 * a count of SIDs, then per SID its 16 bytes, a count of intervals and each interval as start and exclusive end.
 */
final class ReplicaGtidSet {

    /** A run of GNOs {@code start .. end-1}. */
    private record Interval(long start, long end) {
    }

    private final Map<UUID, List<Interval>> intervals;

    private ReplicaGtidSet(Map<UUID, List<Interval>> intervals) {
        this.intervals = intervals;
    }

    static ReplicaGtidSet decode(ByteBuf data) {
        PacketBuffers.require(data, 8, "GTID set SID count");
        long sids = data.readLongLE();
        if (sids < 0 || sids > data.readableBytes() / 24) {
            throw new MalformedPacketException("GTID set announces " + sids + " SIDs in " + data.readableBytes() + " bytes");
        }
        Map<UUID, List<Interval>> bySid = new LinkedHashMap<>();
        for (long i = 0; i < sids; i++) {
            PacketBuffers.require(data, 24, "GTID set SID and interval count");
            UUID sid = new UUID(data.readLong(), data.readLong());
            long count = data.readLongLE();
            if (count < 0 || count > data.readableBytes() / 16) {
                throw new MalformedPacketException("GTID set announces " + count + " intervals for " + sid + " in "
                        + data.readableBytes() + " bytes");
            }
            List<Interval> list = bySid.computeIfAbsent(sid, s -> new ArrayList<>());
            for (long k = 0; k < count; k++) {
                long start = data.readLongLE();
                long end = data.readLongLE();
                if (start < 1 || end <= start) {
                    throw new MalformedPacketException("GTID set holds the empty or invalid interval [" + start + ", "
                            + end + ") for " + sid);
                }
                list.add(new Interval(start, end));
            }
        }
        bySid.replaceAll((sid, list) -> merged(list));
        return new ReplicaGtidSet(bySid);
    }

    static ReplicaGtidSet empty() {
        return new ReplicaGtidSet(Map.of());
    }

    private static List<Interval> merged(List<Interval> list) {
        List<Interval> sorted = new ArrayList<>(list);
        sorted.sort(Comparator.comparingLong(Interval::start));
        List<Interval> merged = new ArrayList<>();
        for (Interval next : sorted) {
            Interval last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
            if (last != null && next.start() <= last.end()) {
                merged.set(merged.size() - 1, new Interval(last.start(), Math.max(last.end(), next.end())));
            } else {
                merged.add(next);
            }
        }
        return merged;
    }

    /**
     * The first GNO of {@code cluster} the replica lacks. Its transactions of other sources never occur in the
     * global binlog, so, as on MySQL, they have nothing to skip. A global binlog can only resume a replica that
     * holds a prefix {@code 1..N} of its GNOs, with {@code N <= lastGno}.
     */
    long firstMissingGno(UUID cluster, long lastGno) throws DumpFailure {
        List<Interval> own = intervals.getOrDefault(cluster, List.of());
        if (own.isEmpty()) {
            return 1;
        }
        Interval first = own.get(0);
        if (own.size() > 1 || first.start() != 1) {
            long missingFrom = first.start() != 1 ? 1 : first.end();
            long missingTo = first.start() != 1 ? first.start() - 1 : own.get(1).start() - 1;
            throw new DumpFailure("The replica's executed GTID set " + this + " lacks " + range(cluster, missingFrom, missingTo)
                    + " but holds later transactions of this source; the source can only resume a replica whose set is "
                    + cluster + ":1-N (skipping transactions inside the stream is not supported)");
        }
        long executed = first.end() - 1;
        if (executed > lastGno) {
            throw new DumpFailure("Replica has more GTIDs than the source has, using the source's SERVER_UUID: the replica"
                    + " executed " + range(cluster, 1, executed) + " but the global binlog ends at "
                    + (lastGno == 0 ? "no transaction" : range(cluster, 1, lastGno)));
        }
        return first.end();
    }

    private static String range(UUID sid, long from, long to) {
        return from == to ? sid + ":" + from : sid + ":" + from + "-" + to;
    }

    /** MySQL's text form, e.g. {@code 3e11fa47-...:1-5:7,8a94f357-...:1-3}. */
    @Override
    public String toString() {
        if (intervals.isEmpty()) {
            return "''";
        }
        StringJoiner sets = new StringJoiner(",");
        intervals.forEach((sid, list) -> {
            StringBuilder set = new StringBuilder(sid.toString());
            for (Interval i : list) {
                set.append(':').append(i.start());
                if (i.end() - 1 > i.start()) {
                    set.append('-').append(i.end() - 1);
                }
            }
            sets.add(set);
        });
        return sets.toString();
    }
}
