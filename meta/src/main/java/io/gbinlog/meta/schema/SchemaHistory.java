package io.gbinlog.meta.schema;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The logical databases and tables at every cts, persisted under {@code <storage.dir>/schema/}. It starts from the
 * data nodes' schema at the first-start cut ({@link #bootstrap}) and follows every logical DDL ({@link #apply}).
 *
 * <p>One writer (the merger's writer thread: bootstrap, apply, forgetAfter), any number of readers. The latest
 * state is an immutable snapshot replaced after each write, so a reader at or after the newest cts (the merger
 * for every table map, the dumper's schema answers) never touches the disk; older cts read the store.
 *
 * <p>Restart rule: the writer applies a DDL here before it appends it to the global binlog; after a restart it
 * calls {@link #forgetAfter} with its checkpoint's cts and applies the DDLs it reads again.
 */
public final class SchemaHistory implements AutoCloseable {

    /** The state in effect from {@code cts} on: database → collation, database → table → definition. */
    private record Latest(long cts, TreeMap<String, String> databases,
                          Map<String, TreeMap<String, TableSchema>> tables) {
    }

    private final SchemaStore store;
    // guards the store against close while a reader of an old cts uses it
    private final ReadWriteLock closing = new ReentrantReadWriteLock();
    private boolean closed;
    private volatile Latest latest;
    private Collations collations;
    private String serverCollation;
    private DdlApplier applier;

    private SchemaHistory(SchemaStore store) {
        this.store = store;
    }

    /** Opens the history in {@code dir}, creating an empty one there if there is none. */
    public static SchemaHistory open(Path dir) throws IOException {
        SchemaStore store = SchemaStore.open(dir);
        SchemaHistory history = new SchemaHistory(store);
        try {
            long last = store.lastCts();
            if (last >= 0) {
                history.collations = new Collations(store.collations());
                history.serverCollation = store.serverCollation();
                history.reload(last);
            }
        } catch (IOException | SchemaException | RuntimeException e) {
            store.close();
            throw e instanceof IOException io ? io : new IOException("cannot read the schema history in " + dir
                    + ": " + e.getMessage(), e);
        }
        return history;
    }

    /** True until {@link #bootstrap}. */
    public boolean isEmpty() {
        return latest == null;
    }

    /** Records the data nodes' schema at the first start's cut. */
    public synchronized void bootstrap(long cts, SchemaSnapshot snapshot) throws IOException, SchemaException {
        if (!isEmpty()) {
            throw new IllegalStateException("the schema history already starts at cts " + latest.cts);
        }
        Collations known = new Collations(snapshot.collations());
        DdlApplier fresh = new DdlApplier(known, snapshot.serverCollation(), Map.of(), List.of());
        DdlApplier.Changes all = new DdlApplier.Changes();
        snapshot.databases().forEach((db, collation) -> {
            fresh.addDatabase(db, collation);
            all.databases().put(db, collation);
        });
        for (SchemaSnapshot.Table table : snapshot.tables()) {
            DdlApplier.Changes changes = fresh.apply(cts, table.db(), table.createTable());
            all.databases().putAll(changes.databases());
            all.tables().putAll(changes.tables());
        }
        store.commit(cts, all, snapshot.collations(), snapshot.serverCollation());
        collations = known;
        serverCollation = snapshot.serverCollation();
        applier = fresh;
        latest = next(new Latest(cts, new TreeMap<>(), Map.of()), cts, all);
    }

    /**
     * Applies one logical DDL (one or more statements) at {@code cts}; {@code defaultDb} is the statement's
     * default database, "" for none. Nothing changes when it fails.
     *
     * @throws SchemaException a statement druid cannot parse or apply; the message holds the DDL
     */
    public synchronized void apply(long cts, String defaultDb, String ddl) throws IOException, SchemaException {
        if (isEmpty()) {
            throw new IllegalStateException("the schema history has no starting point yet (bootstrap)");
        }
        Latest current = latest;
        if (cts < current.cts) {
            throw new IllegalArgumentException("DDL at cts " + cts + " is older than the schema history's newest"
                    + " version, " + current.cts + ": " + ddl);
        }
        DdlApplier.Changes changes;
        try {
            changes = applier.apply(cts, defaultDb == null ? "" : defaultDb, ddl);
            changes.tables().entrySet().removeIf(e -> sameDefinition(e.getValue(), table(e.getKey().db(),
                    e.getKey().table())));
            store.commit(cts, changes, null, null);
        } catch (IOException | SchemaException | RuntimeException e) {
            applier = new DdlApplier(collations, serverCollation, current.databases, allTables(current));
            throw e;
        }
        latest = next(current, cts, changes);
    }

    /** Forgets every version newer than {@code cts}: the restart rule. */
    public synchronized void forgetAfter(long cts) throws IOException {
        if (isEmpty()) {
            return;
        }
        store.forgetAfter(cts);
        try {
            reload(Math.min(cts, latest.cts));
        } catch (SchemaException e) {
            throw new IOException("the schema history cannot be read back: " + e.getMessage(), e);
        }
    }

    /** The cts of the newest version (the first-start cut or the last DDL); -1 when empty. */
    public long lastCts() {
        Latest l = latest;
        return l == null ? -1 : l.cts;
    }

    /** The table as it is now; null when there is none. */
    public TableSchema table(String db, String table) {
        return table(latest, db, table);
    }

    // Each read takes one snapshot of the latest state: a second read of the field could see a newer one.
    private static TableSchema table(Latest l, String db, String table) {
        Map<String, TableSchema> tables = l == null ? null : l.tables.get(db);
        return tables == null ? null : tables.get(table);
    }

    /** The table as it was at {@code cts}; null when there was none. */
    public TableSchema table(String db, String table, long cts) {
        Latest l = latest;
        if (l == null || cts >= l.cts) {
            return table(l, db, table);
        }
        return fromStore(() -> store.table(db, table, cts));
    }

    /** The databases now, by name. */
    public List<String> databases() {
        return databases(latest);
    }

    private static List<String> databases(Latest l) {
        return l == null ? List.of() : List.copyOf(l.databases.keySet());
    }

    public List<String> databases(long cts) {
        Latest l = latest;
        if (l == null || cts >= l.cts) {
            return databases(l);
        }
        return fromStore(() -> List.copyOf(store.databases(cts).keySet()));
    }

    /** The tables of {@code db} now, by name. */
    public List<TableSchema> tables(String db) {
        return tables(latest, db);
    }

    private static List<TableSchema> tables(Latest l, String db) {
        Map<String, TableSchema> tables = l == null ? null : l.tables.get(db);
        return tables == null ? List.of() : List.copyOf(tables.values());
    }

    public List<TableSchema> tables(String db, long cts) {
        Latest l = latest;
        if (l == null || cts >= l.cts) {
            return tables(l, db);
        }
        return fromStore(() -> List.copyOf(store.tables(db, cts).getOrDefault(db, new TreeMap<>()).values()));
    }

    @Override
    public void close() {
        closing.writeLock().lock();
        try {
            if (!closed) {
                closed = true;
                store.close();
            }
        } finally {
            closing.writeLock().unlock();
        }
    }

    private interface StoreRead<T> {
        T read() throws IOException;
    }

    private <T> T fromStore(StoreRead<T> read) {
        closing.readLock().lock();
        try {
            if (closed) {
                throw new IllegalStateException("the schema history is closed");
            }
            return read.read();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the schema history: " + e.getMessage(), e);
        } finally {
            closing.readLock().unlock();
        }
    }

    /** Rebuilds the latest state and the applier from the store, as of {@code cts}. */
    private void reload(long cts) throws IOException, SchemaException {
        TreeMap<String, TreeMap<String, TableSchema>> tables = store.tables(null, cts);
        Latest l = new Latest(cts, store.databases(cts), Collections.unmodifiableMap(tables));
        applier = new DdlApplier(collations, serverCollation, l.databases, allTables(l));
        latest = l;
    }

    /** The state after {@code changes}: copies only the databases they touch. */
    private static Latest next(Latest current, long cts, DdlApplier.Changes changes) {
        TreeMap<String, String> databases = new TreeMap<>(current.databases);
        Map<String, TreeMap<String, TableSchema>> tables = new TreeMap<>(current.tables);
        changes.databases().forEach((db, collation) -> {
            if (collation == null) {
                databases.remove(db);
            } else {
                databases.put(db, collation);
            }
        });
        Map<String, TreeMap<String, TableSchema>> copied = new HashMap<>();
        changes.tables().forEach((name, schema) -> {
            TreeMap<String, TableSchema> ofDb = copied.computeIfAbsent(name.db(),
                    db -> new TreeMap<>(tables.getOrDefault(db, new TreeMap<>())));
            if (schema == null) {
                ofDb.remove(name.table());
            } else {
                ofDb.put(name.table(), schema);
            }
        });
        tables.putAll(copied);
        tables.values().removeIf(Map::isEmpty);
        return new Latest(cts, databases, Collections.unmodifiableMap(tables));
    }

    private static List<TableSchema> allTables(Latest l) {
        List<TableSchema> all = new ArrayList<>();
        l.tables.values().forEach(t -> all.addAll(t.values()));
        return all;
    }

    private static boolean sameDefinition(TableSchema a, TableSchema b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.columns().equals(b.columns()) && a.primaryKey().equals(b.primaryKey())
                && Objects.equals(a.createTable(), b.createTable());
    }
}
