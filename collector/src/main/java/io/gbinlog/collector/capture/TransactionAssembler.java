package io.gbinlog.collector.capture;

import com.github.shyiko.mysql.binlog.event.ByteArrayEventData;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventData;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.MariadbGtidEventData;
import com.github.shyiko.mysql.binlog.event.RotateEventData;
import com.github.shyiko.mysql.binlog.event.XAPrepareEventData;
import io.gbinlog.collector.ordering.Gtrid;
import io.gbinlog.collector.ordering.ProtocolViolationException;
import io.gbinlog.protocol.binlog.EventHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;

/**
 * Follows one data node's binlog event by event and turns each complete event group into the ordering engine's
 * input ({@link CaptureListener}). A group is delivered only once its last event is read, so a stream cut in the
 * middle of a group and read again from {@link #resumePosition()} delivers every group exactly once.
 *
 * <p>Group shapes (MariaDB; MySQL's differ only by a BEGIN or XA START query after its GTID event):
 * <pre>
 *   local transaction   GTID, {ANNOTATE_ROWS, TABLE_MAP, ROWS}*, XID (or QUERY COMMIT)
 *   XA branch prepared  GTID(XA), {ANNOTATE_ROWS, TABLE_MAP, ROWS}*, QUERY "XA END", XA_PREPARE
 *   XA COMMIT/ROLLBACK  GTID(standalone), QUERY "XA COMMIT X'..',X'..',1" / "XA ROLLBACK ..."
 *   DDL                 GTID(standalone), QUERY
 * </pre>
 * A local transaction that writes {@code __gbinlog.commit_log} is the commit decision of a distributed one: its
 * rows are passed on as {@link CaptureListener#commitLogRow}, the transaction itself is not. The rows a group inserts
 * into {@code __gbinlog.ddl_log} are decoded into its {@link EventGroup#logicalDdls()}, and a DDL led by the
 * {@code /* gbinlog ddl_id=N *}{@code /} marker is flagged {@link EventGroup#isProtocolDdl()} (design §2). No other
 * row image is decoded.
 *
 * <p>Single-threaded; the events must come from {@link CaptureDeserializer}.
 */
public final class TransactionAssembler {

    private static final Logger log = LoggerFactory.getLogger(TransactionAssembler.class);

    /** MariaDB GTID flag: a single statement without BEGIN (DDL, XA COMMIT, XA ROLLBACK). */
    private static final int FL_STANDALONE = 0x01;
    private static final byte[] GBINLOG_SCHEMA = "__gbinlog".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] COMMIT_LOG = "commit_log".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] DDL_LOG = "ddl_log".getBytes(StandardCharsets.US_ASCII);

    private enum Ends {
        /** A transaction: XID, COMMIT or XA_PREPARE end it. */
        TRANSACTION,
        /** MariaDB standalone group: its first QUERY ends it. */
        STATEMENT,
        /** MySQL: BEGIN or XA START makes it a transaction, any other first statement is standalone. */
        UNDECIDED
    }

    private final int stream;
    private final String source;
    private final CaptureListener listener;
    private final ProbeQueue probes;
    private final LongConsumer probeReached;

    private String file;
    private long fileNumber = -1;
    /** Where the next group starts in {@link #file}: every group before it has been delivered. */
    private long resumeOffset;
    /** How far the server says it has sent (heartbeats), for probes; never behind the resume position. */
    private long readUpTo = Long.MIN_VALUE;
    /** Set by {@link #startAt}: the server's first (fake) rotate must name this place. */
    private boolean expectingStart;

    private boolean inGroup;
    private long groupStart;
    private long lastEnd;
    private Ends ends;
    private final EventGroupBuilder builder;
    /**
     * The tables a row event can refer to: its group's latest table map of each table id. The body of a ddl_log
     * table map is kept for decoding its rows (the builder may have spilled it by then).
     */
    private record MappedTable(int index, boolean protocol, boolean commitLog, byte[] ddlLogMap) {
        boolean ddlLog() {
            return ddlLogMap != null;
        }
    }

    private final Map<Long, MappedTable> tableMaps = new HashMap<>();
    /** Builder indexes of the row events of __gbinlog.commit_log in this group. */
    private final List<Integer> commitLogRows = new ArrayList<>();
    private boolean otherTables;
    /** Rows of tables outside {@code __gbinlog} in this group. */
    private boolean userTables;
    private boolean ddlLogInserts;

    /**
     * @param source names the data node in messages, e.g. {@code dn1 (127.0.0.1:3312)}
     * @param probes probes to release as the stream advances; null when nobody probes this stream
     */
    public TransactionAssembler(int stream, String source, CaptureListener listener, ProbeQueue probes) {
        this(stream, source, listener, probes, null);
    }

    /** @param spill where transactions past its threshold keep their events; null: always in memory */
    public TransactionAssembler(int stream, String source, CaptureListener listener, ProbeQueue probes,
                                SpillDirectory spill) {
        this.builder = new EventGroupBuilder(spill, stream);
        this.stream = stream;
        this.source = source;
        this.listener = listener;
        this.probes = probes;
        this.probeReached = tso -> listener.probeReached(stream, tso);
    }

    /**
     * The stream (re)starts at {@code start}, an event-group boundary: a group left incomplete by the previous
     * read is dropped, it will be read again from its start.
     */
    public void startAt(BinlogCoordinates start) {
        if (inGroup) {
            log.debug("{}: dropping the incomplete group at {}:{}; it is read again", source, file, groupStart);
        }
        endGroup();
        setFile(start.file());
        resumeOffset = start.offset();
        readUpTo = Math.max(readUpTo, start.encoded());
        expectingStart = true;
    }

    /** Where to read again so that the first group not yet delivered is read whole. */
    public BinlogCoordinates resumePosition() {
        return new BinlogCoordinates(file, resumeOffset);
    }

    /** True while an event group has been read in part. */
    public boolean insideGroup() {
        return inGroup;
    }

    /**
     * The next event of the stream.
     *
     * @throws CaptureException            when the binlog holds what cannot be turned into transactions
     * @throws ProtocolViolationException  when its __gbinlog rows break the distributed transaction protocol
     */
    public void accept(Event event) {
        TypedEventHeader header = event.getHeader();
        EventData data = event.getData();
        EventType type = header.getEventType();
        if (type == EventType.ROTATE) {
            rotate(header, (RotateEventData) data);
            return;
        }
        if (type == EventType.HEARTBEAT) {
            heartbeat(header, raw(data));
            return;
        }
        // Sent only in a replication stream (the format description repeated at a restart position): not in the file.
        if (header.getNextPosition() == 0 || (header.getFlags() & EventHeader.FLAG_ARTIFICIAL) != 0) {
            return;
        }
        expectingStart = false;
        long end = header.getNextPosition();
        long start = end - header.getEventLength();
        if (inGroup) {
            if (start != lastEnd) {
                throw new CaptureException(source + ": event at " + file + ":" + start + " does not follow the one"
                        + " ending at " + lastEnd + " in the same transaction: events are missing from the stream");
            }
            lastEnd = end;
            inside(header, data, start, end);
        } else {
            if (start < resumeOffset) {
                throw new CaptureException(source + ": event at " + file + ":" + start + " lies before the stream's"
                        + " position " + file + ":" + resumeOffset + "; the data node sent an event twice");
            }
            outside(header, data, start, end);
        }
        if (!inGroup) {
            releaseProbes();
        }
    }

    private void rotate(TypedEventHeader header, RotateEventData rotate) {
        boolean artificial = header.getNextPosition() == 0 || (header.getFlags() & EventHeader.FLAG_ARTIFICIAL) != 0;
        BinlogCoordinates target = new BinlogCoordinates(rotate.getBinlogFilename(), rotate.getBinlogPosition());
        if (artificial && expectingStart) {
            expectingStart = false;
            if (!target.equals(resumePosition())) {
                throw new CaptureException(source + ": asked for the binlog from " + resumePosition()
                        + " but the data node starts at " + target);
            }
            return;
        }
        if (inGroup) {
            // Only a crash ends a file inside a group; that group never committed.
            log.warn("{}: the binlog continues in {} while the transaction at {}:{} is incomplete; it was cut off by"
                    + " a crash of the data node and is dropped", source, target.file(), file, groupStart);
            endGroup();
        }
        setFile(target.file());
        resumeOffset = target.offset();
        releaseProbes();
    }

    /** An idle stream still advances: MariaDB's heartbeat names the file and position it has sent up to. */
    private void heartbeat(TypedEventHeader header, byte[] fileName) {
        if (!inGroup && header.getNextPosition() > 0
                && file.equals(new String(fileName, StandardCharsets.US_ASCII))) {
            readUpTo = Math.max(readUpTo, BinlogCoordinates.encode(fileNumber, header.getNextPosition()));
        }
        releaseProbes();
    }

    private void outside(TypedEventHeader header, EventData data, long start, long end) {
        switch (header.getEventType()) {
            case MARIADB_GTID -> beginGroup(start, end,
                    (((MariadbGtidEventData) data).getFlags() & FL_STANDALONE) != 0 ? Ends.STATEMENT : Ends.TRANSACTION);
            case GTID, ANONYMOUS_GTID -> beginGroup(start, end, Ends.UNDECIDED);
            // File framing, and unknown events outside transactions (MariaDB's START_ENCRYPTION), carry no data.
            case FORMAT_DESCRIPTION, MARIADB_GTID_LIST, BINLOG_CHECKPOINT, PREVIOUS_GTIDS, STOP, IGNORABLE, UNKNOWN ->
                    resumeOffset = end;
            case INCIDENT -> throw new CaptureException(source + ": the data node wrote an INCIDENT event at " + file
                    + ":" + start + " (it lost changes it could not log); its binlog cannot be trusted past here");
            default -> throw new CaptureException(source + ": " + describe(header) + " at " + file + ":" + start
                    + " is outside any transaction (no GTID event before it; a start position must be the start of an"
                    + " event group)");
        }
    }

    private void inside(TypedEventHeader header, EventData data, long start, long end) {
        switch (header.getEventType()) {
            case TABLE_MAP -> tableMap(header, raw(data));
            case WRITE_ROWS, UPDATE_ROWS, DELETE_ROWS, EXT_WRITE_ROWS, EXT_UPDATE_ROWS, EXT_DELETE_ROWS ->
                    rows(header, raw(data), start);
            case ANNOTATE_ROWS, ROWS_QUERY -> builder.add(header.typeCode(), raw(data));
            case QUERY -> query(header, raw(data), start, end);
            case XID -> completeLocal(end);
            case XA_PREPARE -> {
                XAPrepareEventData xa = (XAPrepareEventData) data;
                if (xa.isOnePhase()) {
                    completeLocal(end);
                } else {
                    completePrepared(Gtrid.of(Arrays.copyOf(xa.getData(), xa.getGtridLength())), end);
                }
            }
            // Statement-based context events: with binlog_format=ROW they precede no row data.
            case INTVAR, RAND, USER_VAR -> {
            }
            case FORMAT_DESCRIPTION -> {
                log.warn("{}: a new binlog file starts while the transaction at {}:{} is incomplete; it was cut off"
                        + " by a crash of the data node and is dropped", source, file, groupStart);
                endGroup();
                resumeOffset = end;
            }
            default -> throw new CaptureException(source + ": " + describe(header) + " at " + file + ":" + start
                    + " inside a transaction cannot be captured"
                    + (header.typeCode() >= 165 && header.typeCode() <= 171
                            ? " (a compressed event: set log_bin_compress=OFF on the data node)" : ""));
        }
    }

    private void beginGroup(long start, long end, Ends ends) {
        inGroup = true;
        groupStart = start;
        lastEnd = end;
        this.ends = ends;
    }

    private void tableMap(TypedEventHeader header, byte[] body) {
        int index = builder.add(header.typeCode(), body);
        tableMaps.put(tableId(body), new MappedTable(index, isGbinlogSchema(body), isGbinlogTable(body, COMMIT_LOG),
                isGbinlogTable(body, DDL_LOG) ? body : null));
    }

    private void rows(TypedEventHeader header, byte[] body, long start) {
        MappedTable table = tableMaps.get(tableId(body));
        if (table == null) {
            throw new CaptureException(source + ": row event at " + file + ":" + start + " refers to table id "
                    + tableId(body) + " without a table map before it in its transaction");
        }
        int index = builder.add(header.typeCode(), body);
        if (table.commitLog()) {
            commitLogRows.add(index);
        } else {
            otherTables = true;
            if (table.ddlLog()) {
                builder.markDdlLog();
                ddlLogRows(header.typeCode(), body, start);
            } else if (!table.protocol()) {
                userTables = true;
            }
        }
    }

    /** Inserted ddl_log rows are logical DDLs; deleting old ones is housekeeping. */
    private void ddlLogRows(int type, byte[] body, long start) {
        if (type != io.gbinlog.protocol.binlog.EventType.WRITE_ROWS_V1
                && type != io.gbinlog.protocol.binlog.EventType.WRITE_ROWS) {
            return;
        }
        try {
            builder.addLogicalDdls(DdlLogRows.decode(tableMaps.get(tableId(body)).ddlLogMap(), type, body));
            ddlLogInserts = true;
        } catch (IOException e) {
            throw new CaptureException(source + ": cannot decode the __gbinlog.ddl_log rows at " + file + ":" + start
                    + ": " + e.getMessage(), e);
        }
    }

    /** A logical DDL is committed by a transaction that writes ddl_log rows and nothing else (design §2). */
    private void requireDdlLogAlone() {
        if (ddlLogInserts && userTables) {
            throw new ProtocolViolationException(source + ": the transaction at " + file + ":" + groupStart
                    + " writes __gbinlog.ddl_log together with other tables; a logical DDL's ddl_log rows must be"
                    + " committed alone (design §2)");
        }
    }

    private void query(TypedEventHeader header, byte[] body, long start, long end) {
        String sql = QueryText.of(body);
        switch (ends) {
            case UNDECIDED -> {
                if (QueryText.isBegin(sql) || QueryText.isXaStart(sql)) {
                    ends = Ends.TRANSACTION;
                } else {
                    completeStatement(header, body, sql, start, end);
                }
            }
            case STATEMENT -> completeStatement(header, body, sql, start, end);
            case TRANSACTION -> {
                if (QueryText.isCommit(sql) || QueryText.isRollback(sql)) {
                    // COMMIT ends non-transactional changes; ROLLBACK ends those that stay despite a rollback.
                    completeLocal(end);
                } else if (!QueryText.isTransactionControl(sql)) {
                    // A statement such as CREATE TABLE ... SELECT inside the transaction.
                    builder.add(header.typeCode(), body);
                    builder.markDdl();
                }
            }
        }
    }

    private void completeStatement(TypedEventHeader header, byte[] body, String sql, long start, long end) {
        long position = position();
        if (QueryText.isXaCommit(sql) || QueryText.isXaRollback(sql)) {
            Gtrid gtrid;
            try {
                gtrid = QueryText.xaStatementXid(sql).gtrid();
            } catch (IllegalArgumentException e) {
                throw new CaptureException(source + ": cannot read the XID of \"" + sql + "\" at " + file + ":" + start, e);
            }
            finish(end);
            if (QueryText.isXaCommit(sql)) {
                listener.committed(stream, position, gtrid);
            } else {
                listener.rolledBack(stream, position, gtrid);
            }
            return;
        }
        builder.add(header.typeCode(), body);
        builder.markDdl();
        long ddlId = DdlMarker.idOf(sql);
        if (ddlId >= 0) {
            builder.markProtocolDdl(ddlId);
        }
        EventGroup group = builder.build();
        finish(end);
        listener.localCommit(stream, position, group);
    }

    private void completeLocal(long end) {
        long position = position();
        requireDdlLogAlone();
        if (commitLogRows.isEmpty()) {
            EventGroup group = builder.build();
            finish(end);
            listener.localCommit(stream, position, group);
            return;
        }
        if (otherTables) {
            throw new ProtocolViolationException(source + ": the transaction at " + file + ":" + groupStart
                    + " writes __gbinlog.commit_log together with other tables; a commit decision must be inserted"
                    + " alone, with autocommit (design §2)");
        }
        List<CommitLogRows.Row> rows = new ArrayList<>();
        for (int index : commitLogRows) {
            int type = builder.type(index);
            if (type == io.gbinlog.protocol.binlog.EventType.DELETE_ROWS_V1
                    || type == io.gbinlog.protocol.binlog.EventType.DELETE_ROWS) {
                continue; // removing old decisions is housekeeping, not a decision
            }
            if (type != io.gbinlog.protocol.binlog.EventType.WRITE_ROWS_V1
                    && type != io.gbinlog.protocol.binlog.EventType.WRITE_ROWS) {
                throw new ProtocolViolationException(source + ": the transaction at " + file + ":" + groupStart
                        + " updates __gbinlog.commit_log rows; a commit decision is only ever inserted (design §2)");
            }
            byte[] body = builder.body(index);
            try {
                rows.addAll(CommitLogRows.decode(builder.body(tableMaps.get(tableId(body)).index()), type, body));
            } catch (IOException e) {
                throw new CaptureException(source + ": cannot decode the __gbinlog.commit_log rows at " + file + ":"
                        + groupStart + ": " + e.getMessage(), e);
            }
        }
        builder.clear();
        finish(end);
        for (CommitLogRows.Row row : rows) {
            listener.commitLogRow(stream, position, row.gtrid(), row.cts(), row.participants());
        }
    }

    private void completePrepared(Gtrid gtrid, long end) {
        if (!commitLogRows.isEmpty()) {
            throw new ProtocolViolationException(source + ": XA branch '" + gtrid + "' prepared at " + file + ":"
                    + groupStart + " writes __gbinlog.commit_log; a commit decision must be inserted with autocommit,"
                    + " outside any XA branch (design §2)");
        }
        requireDdlLogAlone();
        long position = position();
        EventGroup group = builder.build();
        finish(end);
        listener.prepared(stream, position, gtrid, group);
    }

    private long position() {
        return BinlogCoordinates.encode(fileNumber, groupStart);
    }

    /** The group is complete: the stream may resume after it. */
    private void finish(long end) {
        resumeOffset = end;
        endGroup();
    }

    private void endGroup() {
        inGroup = false;
        builder.clear();
        tableMaps.clear();
        commitLogRows.clear();
        otherTables = false;
        userTables = false;
        ddlLogInserts = false;
    }

    private void releaseProbes() {
        if (probes != null) {
            readUpTo = Math.max(readUpTo, BinlogCoordinates.encode(fileNumber, resumeOffset));
            probes.release(readUpTo, probeReached);
        }
    }

    private void setFile(String name) {
        long number = BinlogCoordinates.fileNumber(name);
        if (number < fileNumber) {
            throw new CaptureException(source + ": the binlog went back from " + file + " to " + name
                    + " (was RESET MASTER run?); the stream's positions would repeat");
        }
        file = name;
        fileNumber = number;
    }

    private static byte[] raw(EventData data) {
        return ((ByteArrayEventData) data).getData();
    }

    private static long tableId(byte[] body) {
        long id = 0;
        for (int b = 5; b >= 0; b--) {
            id = id << 8 | (body[b] & 0xff);
        }
        return id;
    }

    /** Table map body: table id (6), flags (2), db length (1), db, NUL, table length (1), table, NUL, ... */
    private static boolean isGbinlogSchema(byte[] map) {
        return Arrays.equals(map, 9, 9 + (map[8] & 0xff), GBINLOG_SCHEMA, 0, GBINLOG_SCHEMA.length);
    }

    private static boolean isGbinlogTable(byte[] map, byte[] table) {
        if (!isGbinlogSchema(map)) {
            return false;
        }
        int dbLength = map[8] & 0xff;
        int tableAt = 9 + dbLength + 1;
        int tableLength = map[tableAt] & 0xff;
        return Arrays.equals(map, tableAt + 1, tableAt + 1 + tableLength, table, 0, table.length);
    }

    private static String describe(TypedEventHeader header) {
        return "event of type " + header.typeCode()
                + (header.getEventType() == EventType.UNKNOWN ? "" : " (" + header.getEventType() + ")");
    }
}
