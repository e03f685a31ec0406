package io.gbinlog.merger.pipeline;

import io.gbinlog.collector.capture.BinlogCoordinates;
import io.gbinlog.collector.capture.EventGroup;
import io.gbinlog.collector.capture.LogicalDdl;
import io.gbinlog.merger.logical.LogicalTables;
import io.gbinlog.merger.merge.GlobalTransaction;
import io.gbinlog.merger.writer.AppendedTransaction;
import io.gbinlog.merger.writer.BinlogPosition;
import io.gbinlog.merger.writer.GlobalBinlog;
import io.gbinlog.merger.writer.RowsBody;
import io.gbinlog.meta.schema.SchemaException;
import io.gbinlog.meta.schema.SchemaHistory;
import io.gbinlog.protocol.binlog.TransactionEncoder;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes one merged transaction into the global binlog: GTID, BEGIN, the cts marker naming its origin, then for each
 * branch in stream order its statement texts, table maps and row events, then XID. Row images are copied as the data
 * nodes wrote them; table maps and statement texts get logical names, table ids and column metadata from
 * {@link LogicalTables} (one id per logical table version, so a replica sees the same id for a table whatever data
 * node or shard a row came from). Rows of {@code __gbinlog} tables are protocol markers and are never written, nor the
 * statement texts that only they followed.
 *
 * <p>DDL follows the protocol of design §2: a transaction whose branches insert {@code __gbinlog.ddl_log} rows is
 * written as those logical DDLs, once each, at its cts (every branch carries the same rows). The physical DDLs on the
 * data nodes, led by the {@code /* gbinlog ddl_id=N *}{@code /} marker, are dropped. A DDL without the marker was run
 * outside the protocol (by hand on one data node): it is reported and dropped, never passed off as a logical DDL.
 *
 * <p>A local transaction's key carries the floor of its stream; after a restart that floor may be below what the
 * file already holds, so the cts written for it is never below the last one written. A distributed transaction
 * always carries its own cts.
 */
final class TransactionAppender implements RowsBody {

    private static final Logger logger = LoggerFactory.getLogger(TransactionAppender.class);
    static final String PROTOCOL_SCHEMA = "__gbinlog";
    private static final long SKIPPED = -1;

    private final GlobalBinlog log;
    private final Streams streams;
    private final SchemaHistory history;
    private final LogicalTables logicalTables;
    private long lastCts;
    private BinlogPosition writtenEnd;
    private long writtenGno;
    private AppendedTransaction lastAppended;
    private GlobalTransaction<Captured> current;
    private long currentCts;
    private String currentOrigin;
    /** The data node's table ids of the branch being written and the global ids they map to. */
    private long[] nodeTableIds = new long[8];
    private long[] globalTableIds = new long[8];
    private int mapped;
    private final AtomicLong ddlsOutsideProtocol = new AtomicLong();

    /** @param lastCts the cts of the last transaction in the files, or the cut when there is none */
    TransactionAppender(GlobalBinlog log, Streams streams, SchemaHistory history, LogicalTables logicalTables,
                        long lastCts) {
        this.history = history;
        this.logicalTables = logicalTables;
        this.log = log;
        this.streams = streams;
        this.lastCts = lastCts;
        this.writtenEnd = log.endPosition();
        this.writtenGno = log.lastGno();
    }

    /** Where the last transaction appended ends (durable or not yet): what a checkpoint taken now covers. */
    BinlogPosition writtenEnd() {
        return writtenEnd;
    }

    /** The GTID sequence number of the last transaction appended. */
    long writtenGno() {
        return writtenGno;
    }

    /** DDLs without the protocol's marker seen by this run: reported, not written. Read from any thread. */
    long ddlsOutsideProtocol() {
        return ddlsOutsideProtocol.get();
    }

    /** Table maps written without column names by this run (see {@link LogicalTables}). Read from any thread. */
    long tableMapsWithoutMetadata() {
        return logicalTables.tableMapsWithoutMetadata();
    }

    /** The last transaction appended by this run; null before the first. */
    AppendedTransaction lastAppended() {
        return lastAppended;
    }

    /**
     * Appends {@code tx}; false when nothing of it is written (it held only {@code __gbinlog} rows). Either way the
     * spill files of its branches are deleted: once appended, a restart reads it from the global binlog's checkpoint
     * on, never from them.
     */
    boolean append(GlobalTransaction<Captured> tx) throws IOException {
        try {
            return write(tx);
        } finally {
            for (int p = 0; p < tx.size(); p++) {
                tx.payload(p).group().release();
            }
        }
    }

    private boolean write(GlobalTransaction<Captured> tx) throws IOException {
        long cts = tx.isDistributed() ? tx.timestamp() : Math.max(tx.timestamp(), lastCts);
        String origin = tx.isDistributed() ? Origin.distributed(tx.gtrid())
                : Origin.local(streams.id(tx.stream(0)), streams.coordinates(tx.stream(0), tx.payload(0).position()));
        List<LogicalDdl> logical = logicalDdls(tx, origin);
        if (!logical.isEmpty()) {
            appendLogicalDdls(tx, cts, origin, logical);
            lastCts = cts;
            return true;
        }
        EventGroup first = tx.payload(0).group();
        if (first.isDdl()) {
            if (tx.isDistributed()) {
                throw new IllegalStateException("XA transaction '" + tx.gtrid() + "' holds a DDL; data nodes refuse"
                        + " DDL inside XA, so the capture is wrong: " + origin);
            }
            dropPhysicalDdl(tx, origin, first);
            return false;
        } else {
            if (!hasUserRows(tx)) {
                return false;
            }
            long keys = 0;
            for (int i = 0; i < tx.size(); i++) {
                keys |= 1L << (tx.stream(i) & 63);
            }
            current = tx;
            currentCts = cts;
            currentOrigin = origin;
            try {
                appended(log.appendRows(cts, keys, origin, this));
            } finally {
                current = null;
                currentOrigin = null;
            }
        }
        lastCts = cts;
        return true;
    }

    /**
     * A DDL of one data node: never written. One of the protocol (marker) is dropped, its logical DDL comes
     * with the ddl_log transaction; setting up {@code __gbinlog} is no user change; any other DDL is reported.
     */
    private void dropPhysicalDdl(GlobalTransaction<Captured> tx, String origin, EventGroup g) {
        if (g.size() != 1 || !g.isQuery(0)) {
            throw new IllegalStateException(origin + ": a transaction that changes a schema and rows together (such"
                    + " as CREATE TABLE ... SELECT) cannot be written to the global binlog yet; it is not skipped:"
                    + " run the statement as a DDL and a separate INSERT ... SELECT, or remove it from the data node's"
                    + " binlog range before restarting gbinlog");
        }
        if (g.isProtocolDdl()) {
            logger.debug("{}: dropping the physical DDL of ddl_id {}", origin, g.ddlId());
            return;
        }
        String db = g.defaultDatabase(0);
        String sql = g.statement(0);
        if (PROTOCOL_SCHEMA.equals(db) || sql.toLowerCase(Locale.ROOT).contains(PROTOCOL_SCHEMA)) {
            return; // setting up the protocol tables is no user change
        }
        ddlsOutsideProtocol.incrementAndGet();
        BinlogCoordinates at = streams.coordinates(tx.stream(0), tx.payload(0).position());
        logger.warn("data node {} ran a DDL outside the gbinlog DDL protocol (no /* gbinlog ddl_id=N */ marker) at binlog"
                + " {}: it is neither written to the global binlog nor applied to the schema history; run schema"
                + " changes through the coordinator (docs/cluster-protocol.md). Statement{}: {}",
                streams.id(tx.stream(0)), at, db.isEmpty() ? "" : " in database " + db, sql);
    }

    /**
     * The ddl_log rows of a transaction: every branch that writes ddl_log carries the same rows (design §2); empty
     * when it writes none.
     */
    private List<LogicalDdl> logicalDdls(GlobalTransaction<Captured> tx, String origin) {
        List<LogicalDdl> rows = List.of();
        int from = -1;
        for (int p = 0; p < tx.size(); p++) {
            List<LogicalDdl> branch = tx.payload(p).group().logicalDdls();
            if (branch.isEmpty()) {
                continue;
            }
            if (from < 0) {
                rows = branch;
                from = p;
            } else if (!branch.equals(rows)) {
                throw new IllegalStateException(origin + ": the branches of one logical DDL transaction carry different"
                        + " __gbinlog.ddl_log rows (" + streams.id(tx.stream(from)) + ": " + rows + ", "
                        + streams.id(tx.stream(p)) + ": " + branch + "); the coordinator broke the DDL protocol");
            }
        }
        return rows;
    }

    /** Each logical DDL once, at the transaction's cts: into the schema history first, then into the global binlog. */
    private void appendLogicalDdls(GlobalTransaction<Captured> tx, long cts, String origin, List<LogicalDdl> ddls)
            throws IOException {
        if (hasUserRows(tx)) {
            throw new IllegalStateException(origin + ": a transaction writes __gbinlog.ddl_log rows " + ddls
                    + " together with rows of other tables; a logical DDL is committed alone (design §2)");
        }
        for (LogicalDdl ddl : ddls) {
            String db = ddl.schema().isEmpty() ? null : ddl.schema();
            applyToHistory(cts, ddl, origin);
            appended(log.appendDdl(cts, origin, db, ddl.ddl()));
        }
    }

    /**
     * Before the append, so that a restart, which cuts the history back to its checkpoint, applies it again. A DDL
     * the history cannot follow is still written (consumers parse it themselves); the tables it changed are then
     * written without column names until the history knows them again (reported with them).
     */
    private void applyToHistory(long cts, LogicalDdl ddl, String origin) throws IOException {
        try {
            history.apply(cts, ddl.schema(), ddl.ddl());
        } catch (SchemaException e) {
            logger.error("{}: the schema history cannot follow the logical DDL {} at cts {}; it is written to the global"
                    + " binlog, but the tables it changes may lose their column names: {}", origin, ddl, cts,
                    e.getMessage());
        }
    }

    private void appended(AppendedTransaction t) {
        writtenEnd = new BinlogPosition(t.start().file(), t.endPosition());
        writtenGno = t.gno();
        lastAppended = t;
    }

    private static boolean hasUserRows(GlobalTransaction<Captured> tx) {
        for (int p = 0; p < tx.size(); p++) {
            if (tx.payload(p).group().anyChunk(TransactionAppender::hasUserTable)) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasUserTable(EventGroup g) {
        for (int i = 0; i < g.size(); i++) {
            if (g.isTableMap(i) && !PROTOCOL_SCHEMA.equals(g.database(i))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void writeTo(TransactionEncoder out) {
        for (int p = 0; p < current.size(); p++) {
            writeBranch(out, current.payload(p).group());
        }
    }

    private void writeBranch(TransactionEncoder out, EventGroup branch) {
        mapped = 0;
        if (branch.isSpilled()) {
            branch.forEachChunk(chunk -> writeEvents(out, chunk));
        } else {
            writeEvents(out, branch);
        }
    }

    /** A chunk never separates a statement text from its table maps, so a pending statement never crosses one. */
    private void writeEvents(TransactionEncoder out, EventGroup g) {
        int pendingStatement = -1;
        for (int i = 0; i < g.size(); i++) {
            if (g.isRowsQuery(i)) {
                pendingStatement = i; // written before the statement's first table map that is written
            } else if (g.isTableMap(i)) {
                String db = g.database(i);
                if (PROTOCOL_SCHEMA.equals(db)) {
                    map(g.tableId(i), SKIPPED);
                    continue;
                }
                if (pendingStatement >= 0) {
                    logicalTables.writeStatement(out, g, pendingStatement);
                    pendingStatement = -1;
                }
                map(g.tableId(i), logicalTables.writeTableMap(out, g, i, currentCts, currentOrigin));
            } else if (g.isRows(i)) {
                long id = globalId(g.tableId(i));
                if (id != SKIPPED) {
                    out.rows(g.type(i), g.buffer(), g.offset(i), g.length(i), id);
                }
            } else {
                throw new IllegalStateException("event of type " + g.type(i) + " in a row transaction of "
                        + current + " cannot be written");
            }
        }
    }

    private void map(long nodeTableId, long globalId) {
        if (mapped == nodeTableIds.length) {
            nodeTableIds = Arrays.copyOf(nodeTableIds, mapped * 2);
            globalTableIds = Arrays.copyOf(globalTableIds, mapped * 2);
        }
        nodeTableIds[mapped] = nodeTableId;
        globalTableIds[mapped++] = globalId;
    }

    private long globalId(long nodeTableId) {
        for (int i = mapped - 1; i >= 0; i--) {
            if (nodeTableIds[i] == nodeTableId) {
                return globalTableIds[i];
            }
        }
        throw new IllegalStateException("a row event of " + current + " refers to table id " + nodeTableId
                + " without a table map before it");
    }
}
