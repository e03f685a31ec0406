package io.gbinlog.collector.capture;

import io.gbinlog.protocol.binlog.EventType;
import io.gbinlog.protocol.binlog.RowsEventEncoder;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The raw events of one transaction of a data node, as the global binlog writer needs them: statement texts
 * (MariaDB ANNOTATE_ROWS, MySQL ROWS_QUERY), table maps and row events, and for a DDL its QUERY event. Each is
 * kept as the data node wrote its body (post-header and payload, without the common header and checksum), in
 * one byte array; the frame (GTID, BEGIN, XA END, XA PREPARE, XID) is not kept. Row images are never decoded.
 *
 * <p>Immutable once built, so it can be handed between threads. Event {@code i} of the group:
 * <pre>{@code
 * for (int i = 0; i < g.size(); i++) {
 *     if (g.isTableMap(i)) tx.tableMap(g.buffer(), g.offset(i), g.length(i), globalId(g.tableId(i)), db, table);
 *     else if (g.isRows(i)) tx.rows(g.type(i), g.buffer(), g.offset(i), g.length(i), globalId(g.tableId(i)));
 *     else if (g.isRowsQuery(i)) tx.rowsQuery(g.buffer(), g.textOffset(i), g.textLength(i));
 * }
 * }</pre>
 *
 * <p>A group larger than the spill threshold is <em>spilled</em>: its events are in a file and the group itself holds
 * none ({@link #size()} is 0). Read any group through {@link #forEachChunk}, which hands over in-memory chunks in
 * order (an in-memory group is its own single chunk); a chunk never separates a statement text from the table maps
 * after it. Once a group is written, {@link #release()} deletes its file.
 */
public final class EventGroup {

    /** MariaDB and MySQL ≥ 5.6 write 6-byte table ids; table map and row bodies start with them. */
    private static final int TABLE_ID_LENGTH = 6;
    /** QUERY post-header: thread id (4), exec time (4), db length (1), error code (2), status vars length (2). */
    private static final int QUERY_POST_HEADER = 13;

    private final byte[] buffer;
    private final int[] offsets;
    private final int[] lengths;
    private final byte[] types;
    private final boolean ddl;
    private final boolean writesDdlLog;
    /** The ddl_id of a physical DDL of the protocol (its marker comment); -1 for any other group. */
    private final long ddlId;
    private final List<LogicalDdl> logicalDdls;
    /** Where the events are when the group was spilled; null for an in-memory group. */
    private final SpillFile spill;

    /** A chunk of a spilled group: its events only. */
    EventGroup(byte[] buffer, int[] offsets, int[] lengths, byte[] types, boolean ddl, boolean writesDdlLog) {
        this(buffer, offsets, lengths, types, ddl, writesDdlLog, -1, List.of());
    }

    EventGroup(byte[] buffer, int[] offsets, int[] lengths, byte[] types, boolean ddl, boolean writesDdlLog,
               long ddlId, List<LogicalDdl> logicalDdls) {
        this.spill = null;
        this.buffer = buffer;
        this.offsets = offsets;
        this.lengths = lengths;
        this.types = types;
        this.ddl = ddl;
        this.writesDdlLog = writesDdlLog;
        this.ddlId = ddlId;
        this.logicalDdls = List.copyOf(logicalDdls);
    }

    /** A group whose events are all in {@code file}; the file is deleted with the group at the latest. */
    static EventGroup spilled(SpillFile.Writer file, boolean ddl, boolean writesDdlLog, long ddlId,
                              List<LogicalDdl> logicalDdls) {
        return new EventGroup(file, ddl, writesDdlLog, ddlId, logicalDdls);
    }

    private EventGroup(SpillFile.Writer file, boolean ddl, boolean writesDdlLog, long ddlId,
                       List<LogicalDdl> logicalDdls) {
        this.buffer = new byte[0];
        this.offsets = new int[0];
        this.lengths = new int[0];
        this.types = new byte[0];
        this.ddl = ddl;
        this.writesDdlLog = writesDdlLog;
        this.ddlId = ddlId;
        this.logicalDdls = List.copyOf(logicalDdls);
        this.spill = file.finish(this);
    }

    /** The events are in a spill file, not in this object: read them through {@link #forEachChunk}. */
    public boolean isSpilled() {
        return spill != null;
    }

    /**
     * Hands over the events in order, as in-memory groups: this group itself, or the chunks of its spill file.
     *
     * @throws java.io.UncheckedIOException when the spill file cannot be read
     */
    public void forEachChunk(Consumer<EventGroup> action) {
        anyChunk(chunk -> {
            action.accept(chunk);
            return false;
        });
    }

    /** True when {@code test} holds for a chunk; stops reading at the first such chunk. */
    public boolean anyChunk(Predicate<EventGroup> test) {
        if (spill == null) {
            return test.test(this);
        }
        return !spill.forEachChunk(ddl, writesDdlLog, chunk -> !test.test(chunk));
    }

    /** The group is written (or dropped): its spill file, if any, is deleted now rather than when collected. */
    public void release() {
        if (spill != null) {
            spill.delete();
        }
    }

    /** Number of events kept in memory (0 for a spilled group). */
    public int size() {
        return types.length;
    }

    /** The data node's event type code of event {@code i} (numbering of {@link EventType}). */
    public int type(int i) {
        return types[i] & 0xff;
    }

    /** The array holding every event body; read it, never change it. */
    public byte[] buffer() {
        return buffer;
    }

    /** Where the body of event {@code i} starts in {@link #buffer()}. */
    public int offset(int i) {
        return offsets[i];
    }

    public int length(int i) {
        return lengths[i];
    }

    /** Bytes of all bodies together: what the group costs in memory. */
    public int byteSize() {
        return buffer.length;
    }

    /** Holds a statement that changes schemas (a QUERY event). */
    public boolean isDdl() {
        return ddl;
    }

    /**
     * A DDL whose text starts with the marker {@code /* gbinlog ddl_id=N *}{@code /}: the physical part of a logical
     * DDL on this data node (design §2). The logical DDL comes with the {@code ddl_log} transaction of the same id.
     */
    public boolean isProtocolDdl() {
        return ddlId >= 0;
    }

    /** The N of the marker of a {@linkplain #isProtocolDdl() protocol DDL}. */
    public long ddlId() {
        if (ddlId < 0) {
            throw new IllegalStateException("not a DDL of the protocol (no ddl_id marker): " + this);
        }
        return ddlId;
    }

    /** Writes rows of {@code __gbinlog.ddl_log}: part of a logical DDL (design §2), for the merger to recognise. */
    public boolean writesDdlLog() {
        return writesDdlLog;
    }

    /**
     * The rows this group inserts into {@code __gbinlog.ddl_log}, in binlog order: the logical DDLs a branch of the
     * ddl_log transaction carries. Empty for every other group.
     */
    public List<LogicalDdl> logicalDdls() {
        return logicalDdls;
    }

    public boolean isTableMap(int i) {
        return type(i) == EventType.TABLE_MAP;
    }

    public boolean isRows(int i) {
        return RowsEventEncoder.isRowsEvent(type(i));
    }

    /** The statement text of the row events that follow (ANNOTATE_ROWS or ROWS_QUERY). */
    public boolean isRowsQuery(int i) {
        return type(i) == EventType.MARIADB_ANNOTATE_ROWS || type(i) == EventType.ROWS_QUERY;
    }

    public boolean isQuery(int i) {
        return type(i) == EventType.QUERY;
    }

    /** The data node's table id of a table map or row event. */
    public long tableId(int i) {
        if (!isTableMap(i) && !isRows(i)) {
            throw new IllegalArgumentException("event " + i + " (type " + type(i) + ") has no table id");
        }
        long id = 0;
        for (int b = TABLE_ID_LENGTH - 1; b >= 0; b--) {
            id = id << 8 | (buffer[offsets[i] + b] & 0xff);
        }
        return id;
    }

    /** The database name of a table map. */
    public String database(int i) {
        int at = databaseAt(i);
        return new String(buffer, at + 1, buffer[at] & 0xff, StandardCharsets.UTF_8);
    }

    /** The table name of a table map. */
    public String table(int i) {
        int at = databaseAt(i);
        at += 1 + (buffer[at] & 0xff) + 1;
        return new String(buffer, at + 1, buffer[at] & 0xff, StandardCharsets.UTF_8);
    }

    /** Where the statement text of a rows-query or QUERY event starts in {@link #buffer()}. */
    public int textOffset(int i) {
        int off = offsets[i];
        return switch (type(i)) {
            case EventType.MARIADB_ANNOTATE_ROWS -> off;
            case EventType.ROWS_QUERY -> off + 1; // a length byte, wrong beyond 255: the event size is the truth
            case EventType.QUERY -> off + QUERY_POST_HEADER + statusVarsLength(off) + (buffer[off + 8] & 0xff) + 1;
            default -> throw new IllegalArgumentException("event " + i + " (type " + type(i) + ") carries no statement");
        };
    }

    public int textLength(int i) {
        return offsets[i] + lengths[i] - textOffset(i);
    }

    /** The statement text of a rows-query or QUERY event. */
    public String statement(int i) {
        return new String(buffer, textOffset(i), textLength(i), StandardCharsets.UTF_8);
    }

    /** The default database a QUERY event ran in; empty when none. */
    public String defaultDatabase(int i) {
        if (!isQuery(i)) {
            throw new IllegalArgumentException("event " + i + " (type " + type(i) + ") is not a QUERY event");
        }
        int off = offsets[i];
        return new String(buffer, off + QUERY_POST_HEADER + statusVarsLength(off), buffer[off + 8] & 0xff,
                StandardCharsets.UTF_8);
    }

    private int statusVarsLength(int off) {
        return (buffer[off + 11] & 0xff) | (buffer[off + 12] & 0xff) << 8;
    }

    private int databaseAt(int i) {
        if (!isTableMap(i)) {
            throw new IllegalArgumentException("event " + i + " (type " + type(i) + ") is not a table map");
        }
        return offsets[i] + TABLE_ID_LENGTH + 2; // table id, flags
    }

    @Override
    public String toString() {
        if (spill != null) {
            return "events spilled to " + spill + flags();
        }
        return size() + " events, " + byteSize() + " bytes" + flags();
    }

    private String flags() {
        return (ddl ? ", DDL" : "") + (ddlId >= 0 ? " ddl_id=" + ddlId : "") + (writesDdlLog ? ", ddl_log" : "");
    }
}
