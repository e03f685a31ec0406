package io.gbinlog.dumper.gtid;

import java.util.UUID;

/** The GTIDs of a global binlog: one cluster UUID and gapless sequence numbers 1..N. */
public final class ClusterGtids {

    private ClusterGtids() {
    }

    /** The set {@code 1..lastGno} of {@code uuid} in MySQL's text form; empty when nothing was written. */
    public static String format(UUID uuid, long lastGno) {
        if (lastGno == 0) {
            return "";
        }
        return lastGno == 1 ? uuid + ":1" : uuid + ":1-" + lastGno;
    }
}
