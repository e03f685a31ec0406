package io.gbinlog.integration.collector;

import io.gbinlog.collector.capture.BinlogCoordinates;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A data node's binlog files walked by hand, header by header, independent of the collector and of the
 * connector: the bytes the collector's payloads must equal. Expects CRC32 checksums (MariaDB's default).
 */
final class RawBinlog {

    static final int GTID = 162;
    static final int QUERY = 2;

    /** One event: where it starts (encoded like the collector's positions), its type, its body. */
    record RawEvent(long position, int type, byte[] body) {
    }

    private RawBinlog() {
    }

    static List<RawEvent> read(List<Path> files) throws IOException {
        List<RawEvent> events = new ArrayList<>();
        for (Path file : files) {
            byte[] b = Files.readAllBytes(file);
            long number = BinlogCoordinates.fileNumber(file.getFileName().toString());
            int at = 4;
            while (at + 19 <= b.length) {
                int type = b[at + 4] & 0xff;
                int size = (int) uint32(b, at + 9);
                if (at + size > b.length) {
                    break; // a group being written
                }
                if (type == 15 && b[at + size - 5] != 1) {
                    throw new IllegalStateException(file + " does not use CRC32 checksums");
                }
                events.add(new RawEvent(BinlogCoordinates.encode(number, at), type,
                        Arrays.copyOfRange(b, at + 19, at + size - 4)));
                at += size;
            }
        }
        return events;
    }

    /**
     * The bodies of the events a payload keeps from the group that starts at {@code position}: statement texts,
     * table maps, row events, and QUERY events when the group is a DDL.
     */
    static List<RawEvent> payloadEvents(List<RawEvent> all, long position, boolean ddl) {
        int i = 0;
        while (i < all.size() && all.get(i).position() != position) {
            i++;
        }
        if (i == all.size() || all.get(i).type() != GTID) {
            throw new AssertionError("no GTID event (group start) at " + position);
        }
        List<RawEvent> kept = new ArrayList<>();
        for (i++; i < all.size() && all.get(i).type() != GTID; i++) {
            int type = all.get(i).type();
            boolean rows = type >= 23 && type <= 25 || type >= 30 && type <= 32;
            if (type == 160 || type == 29 || type == 19 || rows || type == QUERY && ddl) {
                kept.add(all.get(i));
            }
            if (type == 16 || type == 38 || type == 4 || type == 3) {
                break; // XID, XA_PREPARE, rotate or stop end it
            }
        }
        return kept;
    }

    /** Positions of every group start (GTID event). */
    static List<Long> groupStarts(List<RawEvent> all) {
        return all.stream().filter(e -> e.type() == GTID).map(RawEvent::position).toList();
    }

    private static long uint32(byte[] b, int i) {
        return (b[i] & 0xffL) | (b[i + 1] & 0xffL) << 8 | (b[i + 2] & 0xffL) << 16 | (b[i + 3] & 0xffL) << 24;
    }
}
