package io.gbinlog.collector.node;

import io.gbinlog.collector.capture.BinlogCoordinates;
import io.gbinlog.collector.capture.Xid;
import io.gbinlog.meta.config.GbinlogConfig.DataNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where a collector starts reading a data node on the very first start, so that every transaction above the
 * first probe cut comes out whole (design §3, "First start"); {@link FirstStart} runs it for every data node.
 *
 * <p>The approach: {@code P = SHOW MASTER STATUS}, then {@code XA RECOVER}. A branch still unresolved at P was
 * either prepared before XA RECOVER ran and is still listed, or prepared after P was read (the stream reads it
 * anyway). So the start is P, moved back to the latest XA PREPARE (the start of its event group) of every listed
 * branch found before P. SHOW BINLOG EVENTS finds them, one file at a time from P's file backwards, stopping as
 * soon as every listed branch is found. A branch whose PREPARE is no longer in any binlog file (purged) makes the
 * start impossible: the caller is told which one.
 */
public final class StartPositionFinder {

    private static final Logger log = LoggerFactory.getLogger(StartPositionFinder.class);
    private static final int FETCH_SIZE = 1000;

    private StartPositionFinder() {
    }

    /**
     * The first-start position of {@code dn}: {@code end}, a binlog end read before {@code XA RECOVER} listed
     * {@code prepared}, moved back to their PREPAREs; an event-group boundary.
     */
    public static BinlogCoordinates find(Connection c, DataNode dn, BinlogCoordinates end, Set<Xid> prepared)
            throws SQLException {
        if (prepared.isEmpty()) {
            return end;
        }
        List<String> files = binaryLogs(c);
        Map<Xid, BinlogCoordinates> found = new HashMap<>();
        for (int f = files.size() - 1; f >= 0 && found.size() < prepared.size(); f--) {
            if (BinlogCoordinates.fileNumber(files.get(f)) <= BinlogCoordinates.fileNumber(end.file())) {
                // A newer file's PREPARE of the same XID is the live one.
                prepares(c, files.get(f), null, end, prepared).forEach(found::putIfAbsent);
            }
        }
        Set<Xid> missing = new HashSet<>(prepared);
        missing.removeAll(found.keySet());
        // A branch prepared between SHOW MASTER STATUS and XA RECOVER lies after the end: it is read anyway.
        for (String file : files) {
            if (!missing.isEmpty() && BinlogCoordinates.fileNumber(file) >= BinlogCoordinates.fileNumber(end.file())) {
                missing.removeAll(prepares(c, file, end, null, missing).keySet());
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException(DataNodes.label(dn) + ": XA branch(es) " + missing + " are prepared"
                    + " (XA RECOVER) but their XA PREPARE is in no binlog file from " + files.get(0)
                    + " on (purged?); gbinlog cannot capture them whole. Resolve them (XA COMMIT or XA ROLLBACK, as"
                    + " their __gbinlog.commit_log row decides) or restore the purged binlog files");
        }
        BinlogCoordinates start = end;
        for (BinlogCoordinates p : found.values()) {
            if (p.compareTo(start) < 0) {
                start = p;
            }
        }
        log.info("{}: first start at {} (binlog end {}; {} prepared XA branch(es) found before it)",
                DataNodes.label(dn), start, end, found.size());
        return start;
    }

    /** The branches prepared now (XA RECOVER's data column is binary: gtrid then bqual). */
    public static Set<Xid> xaRecover(Connection c) throws SQLException {
        Set<Xid> xids = new HashSet<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("XA RECOVER")) {
            while (rs.next()) {
                xids.add(Xid.of(rs.getInt(1), rs.getInt(2), rs.getInt(3), rs.getBytes(4)));
            }
        }
        return xids;
    }

    private static List<String> binaryLogs(Connection c) throws SQLException {
        List<String> files = new ArrayList<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW BINARY LOGS")) {
            while (rs.next()) {
                files.add(rs.getString(1));
            }
        }
        return files;
    }

    /**
     * The latest XA PREPARE in {@code file} of each XID of {@code wanted}, between {@code from} and {@code to}
     * (either null for no bound): the start of its event group.
     */
    private static Map<Xid, BinlogCoordinates> prepares(Connection c, String file, BinlogCoordinates from,
                                                        BinlogCoordinates to, Set<Xid> wanted) throws SQLException {
        Map<Xid, BinlogCoordinates> found = new HashMap<>();
        BinlogCoordinates groupStart = null;
        try (Statement s = c.createStatement()) {
            s.setFetchSize(FETCH_SIZE); // stream: a binlog file holds millions of events
            try (ResultSet rs = s.executeQuery("SHOW BINLOG EVENTS IN '" + file.replace("'", "''") + "'")) {
                while (rs.next()) {
                    BinlogCoordinates at = new BinlogCoordinates(file, rs.getLong("Pos"));
                    if (to != null && at.compareTo(to) >= 0) {
                        break;
                    }
                    String type = rs.getString("Event_type");
                    if (type.equalsIgnoreCase("Gtid") || type.equalsIgnoreCase("Anonymous_Gtid")) {
                        groupStart = at;
                    } else if (type.equalsIgnoreCase("XA_prepare") && groupStart != null
                            && (from == null || groupStart.compareTo(from) >= 0)) {
                        Xid xid = prepareXid(rs.getString("Info"));
                        if (xid != null && wanted.contains(xid)) {
                            found.put(xid, groupStart);
                        }
                    }
                }
            }
        }
        return found;
    }

    /** The XID of SHOW BINLOG EVENTS' info for an XA_PREPARE event: {@code XA PREPARE X'..',X'..',1}. */
    static Xid prepareXid(String info) {
        String prefix = "XA PREPARE ";
        if (info == null || !info.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return null;
        }
        return Xid.parse(info, prefix.length());
    }
}
