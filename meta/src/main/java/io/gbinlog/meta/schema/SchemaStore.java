package io.gbinlog.meta.schema;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The schema history on disk, in RocksDB. Every version is a key {@code kind, name..., cts} (big-endian, so the
 * versions of one object sort by cts and "the version in effect at cts" is one seek back); the value is the
 * object at that cts, or empty when it was dropped then.
 * <ul>
 *   <li>{@code D db 0 cts} → the database's default collation</li>
 *   <li>{@code T db 0 table 0 cts} → the {@link TableSchema} as JSON</li>
 *   <li>{@code M name} → the collations, the server's default collation and the last cts</li>
 * </ul>
 * RocksDB is safe for concurrent readers; {@link SchemaHistory} serialises the writes and {@link #close}.
 */
final class SchemaStore implements AutoCloseable {
    private static final byte DATABASE = 'D';
    private static final byte TABLE = 'T';
    private static final byte[] LAST_CTS = meta("lastCts");
    private static final byte[] COLLATIONS = meta("collations");
    private static final byte[] SERVER_COLLATION = meta("serverCollation");
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        RocksDB.loadLibrary();
    }

    private final Options options;
    private final RocksDB db;
    // a DDL is in the history before it is in the global binlog: it must survive a machine crash as well
    private final WriteOptions sync = new WriteOptions().setSync(true);

    private SchemaStore(Options options, RocksDB db) {
        this.options = options;
        this.db = db;
    }

    static SchemaStore open(Path dir) throws IOException {
        Files.createDirectories(dir);
        Options options = new Options().setCreateIfMissing(true);
        try {
            return new SchemaStore(options, RocksDB.open(options, dir.toString()));
        } catch (RocksDBException e) {
            options.close();
            throw new IOException("cannot open the schema history in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** -1 before the first start's snapshot. */
    long lastCts() throws IOException {
        byte[] value = get(LAST_CTS);
        return value == null ? -1 : ByteBuffer.wrap(value).getLong();
    }

    List<Collation> collations() throws IOException {
        byte[] value = get(COLLATIONS);
        return value == null ? List.of() : JSON.readValue(value, new TypeReference<List<Collation>>() { });
    }

    String serverCollation() throws IOException {
        byte[] value = get(SERVER_COLLATION);
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }

    /** Records what changed at {@code cts}, atomically and durably; with the server's collations at first start. */
    void commit(long cts, DdlApplier.Changes changes, List<Collation> collations, String serverCollation)
            throws IOException {
        try (WriteBatch batch = new WriteBatch()) {
            for (Map.Entry<String, String> e : changes.databases().entrySet()) {
                batch.put(key(DATABASE, cts, e.getKey()),
                        e.getValue() == null ? new byte[0] : e.getValue().getBytes(StandardCharsets.UTF_8));
            }
            for (Map.Entry<LogicalName, TableSchema> e : changes.tables().entrySet()) {
                batch.put(key(TABLE, cts, e.getKey().db(), e.getKey().table()),
                        e.getValue() == null ? new byte[0] : JSON.writeValueAsBytes(e.getValue()));
            }
            if (collations != null) {
                batch.put(COLLATIONS, JSON.writeValueAsBytes(collations));
                batch.put(SERVER_COLLATION, serverCollation.getBytes(StandardCharsets.UTF_8));
            }
            batch.put(LAST_CTS, ByteBuffer.allocate(8).putLong(cts).array());
            db.write(sync, batch);
        } catch (RocksDBException e) {
            throw new IOException("cannot write the schema history: " + e.getMessage(), e);
        }
    }

    /** Removes every version newer than {@code cts}. */
    void forgetAfter(long cts) throws IOException {
        try (WriteBatch batch = new WriteBatch(); RocksIterator it = db.newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                if (isVersion(it.key()) && ctsOf(it.key()) > cts) {
                    batch.delete(it.key());
                }
            }
            if (lastCts() > cts) {
                batch.put(LAST_CTS, ByteBuffer.allocate(8).putLong(cts).array());
            }
            db.write(sync, batch);
        } catch (RocksDBException e) {
            throw new IOException("cannot write the schema history: " + e.getMessage(), e);
        }
    }

    /** The table as it was at {@code cts}; null when it did not exist then. */
    TableSchema table(String dbName, String table, long cts) throws IOException {
        byte[] prefix = prefix(TABLE, dbName, table);
        try (RocksIterator it = db.newIterator()) {
            it.seekForPrev(key(TABLE, cts, dbName, table));
            if (!it.isValid() || !startsWith(it.key(), prefix) || it.key().length != prefix.length + 8) {
                return null;
            }
            return it.value().length == 0 ? null : JSON.readValue(it.value(), TableSchema.class);
        }
    }

    /** The databases that existed at {@code cts}, by name, with their default collation. */
    TreeMap<String, String> databases(long cts) {
        TreeMap<String, String> result = new TreeMap<>();
        latest(new byte[] {DATABASE}, cts, (name, value) -> {
            if (value.length > 0) {
                result.put(name[0], new String(value, StandardCharsets.UTF_8));
            }
        });
        return result;
    }

    /** The tables at {@code cts} of {@code db}, or of every database when it is null: database → table → definition. */
    TreeMap<String, TreeMap<String, TableSchema>> tables(String db, long cts) throws IOException {
        TreeMap<String, TreeMap<String, TableSchema>> result = new TreeMap<>();
        IOException[] failure = new IOException[1];
        latest(db == null ? new byte[] {TABLE} : prefix(TABLE, db), cts, (name, value) -> {
            if (value.length > 0) {
                try {
                    result.computeIfAbsent(name[0], k -> new TreeMap<>())
                            .put(name[1], JSON.readValue(value, TableSchema.class));
                } catch (IOException e) {
                    failure[0] = e;
                }
            }
        });
        if (failure[0] != null) {
            throw failure[0];
        }
        return result;
    }

    private interface VersionConsumer {
        void accept(String[] name, byte[] value);
    }

    /** For every object under {@code prefix}, its newest version at or before {@code cts}. */
    private void latest(byte[] prefix, long cts, VersionConsumer consumer) {
        try (RocksIterator it = db.newIterator()) {
            byte[] object = null;
            byte[] value = null;
            for (it.seek(prefix); it.isValid() && startsWith(it.key(), prefix); it.next()) {
                byte[] key = it.key();
                byte[] name = Arrays.copyOf(key, key.length - 8);
                if (object != null && !Arrays.equals(object, name)) {
                    if (value != null) {
                        consumer.accept(names(object), value);
                    }
                    value = null;
                }
                object = name;
                if (ctsOf(key) <= cts) {
                    value = it.value();
                }
            }
            if (object != null && value != null) {
                consumer.accept(names(object), value);
            }
        }
    }

    private byte[] get(byte[] key) throws IOException {
        try {
            return db.get(key);
        } catch (RocksDBException e) {
            throw new IOException("cannot read the schema history: " + e.getMessage(), e);
        }
    }

    private static byte[] prefix(byte kind, String... names) {
        StringBuilder text = new StringBuilder();
        for (String name : names) {
            text.append(name).append('\0');
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        byte[] key = new byte[bytes.length + 1];
        key[0] = kind;
        System.arraycopy(bytes, 0, key, 1, bytes.length);
        return key;
    }

    private static byte[] key(byte kind, long cts, String... names) {
        byte[] prefix = prefix(kind, names);
        return ByteBuffer.allocate(prefix.length + 8).put(prefix).putLong(cts).array();
    }

    /** The names of a key without its cts: kind byte, then names each ended by 0. */
    private static String[] names(byte[] object) {
        String text = new String(object, 1, object.length - 2, StandardCharsets.UTF_8);
        return text.split("\0", -1);
    }

    private static boolean isVersion(byte[] key) {
        return key[0] == DATABASE || key[0] == TABLE;
    }

    private static long ctsOf(byte[] key) {
        return ByteBuffer.wrap(key, key.length - 8, 8).getLong();
    }

    private static boolean startsWith(byte[] key, byte[] prefix) {
        return key.length >= prefix.length && Arrays.equals(key, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static byte[] meta(String name) {
        return ("M" + name).getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        db.close();
        sync.close();
        options.close();
    }
}
