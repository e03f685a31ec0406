package io.gbinlog.merger.logical;

import io.gbinlog.collector.capture.EventGroup;
import io.gbinlog.meta.schema.ColumnSchema;
import io.gbinlog.meta.schema.LogicalName;
import io.gbinlog.meta.schema.NameMapping;
import io.gbinlog.meta.schema.SchemaHistory;
import io.gbinlog.meta.schema.TableSchema;
import io.gbinlog.protocol.binlog.TableMapEventEncoder;
import io.gbinlog.protocol.binlog.TableMetadata;
import io.gbinlog.protocol.binlog.TableMetadataEncoder;
import io.gbinlog.protocol.binlog.TransactionEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the data nodes' table maps and statement texts under logical names: a table map gets its logical database
 * and table name, one global table id per version of the logical table (a new one after each DDL of it, so a replica
 * never applies rows of one column list with another's), and the column names and types the schema history holds for
 * that version as optional metadata. A table the history does not know, or whose table map has another column count,
 * is written without column metadata and reported once per table version: rows are never lost, names never wrong.
 *
 * <p>Everything is built once per table version and kept, so a table map costs a few lookups and copies. Used by
 * the writer thread only; {@link #tableMapsWithoutMetadata()} may be read from any thread.
 */
public final class LogicalTables {
    private static final Logger log = LoggerFactory.getLogger(LogicalTables.class);
    /** The version of a table the history does not know. */
    private static final long UNKNOWN = Long.MIN_VALUE;

    private final NameMapping names;
    private final SchemaHistory history;
    private final StatementRewriter rewriter;
    private final Map<LogicalName, Version> versions = new HashMap<>();
    private long lastTableId;
    private volatile long withoutMetadata;

    public LogicalTables(NameMapping names, SchemaHistory history) {
        this.names = names;
        this.history = history;
        this.rewriter = names.isIdentity() ? null : new StatementRewriter(new StatementRewriter.Mapping() {
            @Override
            public String db(String physicalDb, String physicalTable) {
                return names.map(physicalDb, physicalTable).db();
            }

            @Override
            public String table(String physicalDb, String physicalTable) {
                return names.map(physicalDb, physicalTable).table();
            }
        });
    }

    /**
     * Writes table map {@code i} of {@code g}, of a transaction at {@code cts}, and returns the global table id it got.
     *
     * @param origin names the transaction in a report (its data node and position, or its gtrid)
     */
    public long writeTableMap(TransactionEncoder out, EventGroup g, int i, long cts, String origin) {
        String physicalDb = g.database(i);
        String physicalTable = g.table(i);
        LogicalName name = names.map(physicalDb, physicalTable);
        TableSchema schema = history.table(name.db(), name.table(), cts);
        long version = schema == null ? UNKNOWN : schema.version();
        Version v = versions.get(name);
        if (v == null || v.version != version) {
            v = new Version(++lastTableId, name, version, schema == null ? null : metadata(schema));
            versions.put(name, v);
        }
        TableMetadataEncoder metadata = v.metadata;
        int columns = metadata == null ? -1 : TableMapEventEncoder.columnCount(g.buffer(), g.offset(i), g.length(i));
        if (metadata == null || columns != metadata.metadata().columns().size()) {
            withoutMetadata = withoutMetadata + 1; // one writer thread
            if (!v.reported) {
                v.reported = true;
                String why = metadata == null ? "the schema history has no table " + name.db() + "." + name.table()
                        + " at cts " + cts : "the table map has " + columns + " columns, the schema history's "
                        + name.db() + "." + name.table() + " (version of cts " + version + ") "
                        + metadata.metadata().columns().size();
                log.warn("table map of {}.{} ({}) written as {}.{} without column names: {}; consumers that need"
                        + " them will not get them until the schema history knows this table version", physicalDb,
                        physicalTable, origin, name.db(), name.table(), why);
            }
            metadata = null;
        }
        out.tableMap(g.buffer(), g.offset(i), g.length(i), v.id, v.db, v.table, metadata);
        return v.id;
    }

    /**
     * Writes statement text {@code i} of {@code g} (a rows-query or annotate event), with the physical names of the
     * table maps that follow it up to the next statement rewritten to logical ones.
     */
    public void writeStatement(TransactionEncoder out, EventGroup g, int i) {
        if (rewriter != null) {
            rewriter.clearTables();
            for (int j = i + 1; j < g.size() && !g.isRowsQuery(j); j++) {
                if (g.isTableMap(j)) {
                    rewriter.addTable(g.database(j), g.table(j));
                }
            }
            if (rewriter.rewrite(g.buffer(), g.textOffset(i), g.textLength(i))) {
                out.rowsQuery(rewriter.output(), 0, rewriter.outputLength());
                return;
            }
        }
        out.rowsQuery(g.buffer(), g.textOffset(i), g.textLength(i));
    }

    /** Table maps written without column metadata since the start, each reported (once per table version). */
    public long tableMapsWithoutMetadata() {
        return withoutMetadata;
    }

    private static TableMetadataEncoder metadata(TableSchema schema) {
        List<TableMetadata.Column> columns = new ArrayList<>(schema.columns().size());
        for (ColumnSchema c : schema.columns()) {
            columns.add(new TableMetadata.Column(c.name(), c.unsigned(), c.collationId(), c.values()));
        }
        return new TableMetadataEncoder(new TableMetadata(columns, schema.primaryKey()));
    }

    /** One version of a logical table as the writer uses it. */
    private static final class Version {
        final long id;
        final long version;
        final byte[] db;
        final byte[] table;
        /** Null when the history does not know the table. */
        final TableMetadataEncoder metadata;
        boolean reported;

        Version(long id, LogicalName name, long version, TableMetadataEncoder metadata) {
            this.id = id;
            this.version = version;
            this.db = name.db().getBytes(StandardCharsets.UTF_8);
            this.table = name.table().getBytes(StandardCharsets.UTF_8);
            this.metadata = metadata;
        }
    }
}
