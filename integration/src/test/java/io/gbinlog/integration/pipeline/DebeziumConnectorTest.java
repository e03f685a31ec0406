package io.gbinlog.integration.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.debezium.embedded.Connect;
import io.debezium.engine.ChangeEvent;
import io.debezium.engine.DebeziumEngine;
import io.gbinlog.dumper.server.Dumper;
import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.integration.coordinator.Coordinator;
import io.gbinlog.integration.coordinator.CoordinatorSession;
import io.gbinlog.integration.coordinator.Transaction;
import io.gbinlog.integration.testing.Await;
import io.gbinlog.integration.testing.TestTso;
import io.gbinlog.merger.pipeline.Pipeline;
import io.gbinlog.meta.config.HostPort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.function.Consumer;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.connect.data.Field;
import org.apache.kafka.connect.data.Struct;
import org.apache.kafka.connect.source.SourceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's Debezium acceptance: the Debezium MySQL connector, in its embedded engine and with its own
 * Connector/J, connects to the dumper as to a MySQL 8.0 primary, takes a snapshot of the schema only
 * ({@code snapshot.mode=no_data}, no locks) and streams every row change of a random workload over two data
 * nodes (local and distributed transactions; inserts, updates, deletes; rolled back ones too) with the right
 * column names and values, in commit order, and nothing of the rolled back transactions. Logical DDLs through the
 * coordinator change the columns on the way. Halfway the connector stops; it resumes from its offsets (a GTID set)
 * and its schema history file without losing or repeating a change.
 */
class DebeziumConnectorTest {

    private static final Map<String, String> USERS = Map.of("repl", "secret");
    private static final int TRANSACTIONS = 200;
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path tmp;

    @Test
    void debeziumStreamsEveryCommittedRowChangeWithItsColumnNames() throws Exception {
        long seed = Long.getLong("gbinlog.seed", System.nanoTime());
        System.out.println("DebeziumConnectorTest seed=" + seed + " (rerun with -Dgbinlog.seed=" + seed + ")");
        Random random = new Random(seed);
        try (LocalCluster cluster = LocalCluster.start(2); TestTso tso = TestTso.start()) {
            List<DataNode> nodes = cluster.nodes();
            for (DataNode node : nodes) {
                try (Connection c = node.connect(); Statement s = c.createStatement()) {
                    s.execute("CREATE DATABASE shop");
                    s.execute("CREATE TABLE shop.orders (id INT PRIMARY KEY, customer VARCHAR(64), amount DECIMAL(12,2),"
                            + " qty BIGINT, note TEXT) DEFAULT CHARSET=utf8mb4");
                    s.execute("CREATE TABLE shop.ping (id INT PRIMARY KEY)");
                }
            }
            Coordinator coordinator = Coordinator.builder().nodes(nodes).tso(tso.clients()).build();
            try (Pipeline pipeline = Pipeline.start(PipelineTesting.settings(nodes, tmp.resolve("storage"), tso));
                 Dumper dumper = Dumper.start(pipeline.globalBinlog(), pipeline.schemaHistory(), HostPort.parse("127.0.0.1:0"),
                         USERS);
                 CoordinatorSession session = coordinator.openSession()) {
                Workload workload = new Workload(session, nodes.get(0).id(), nodes.get(1).id(), random);
                Path state = tmp.resolve("debezium");
                List<Change> received = new ArrayList<>();
                try (Debezium debezium = Debezium.start(dumper.port(), state)) {
                    // No data snapshot: the connector streams from where the binlog was when it looked. Ping until a
                    // ping arrives, then everything after it must arrive.
                    Await.until("the connector streams", TIMEOUT, () -> {
                        workload.pingUnchecked();
                        return debezium.streams();
                    });
                    workload.run(TRANSACTIONS / 4);
                    // A logical DDL while the connector streams: it reads it from the binlog, the rows after it
                    // come with the new column.
                    workload.addTag(coordinator);
                    workload.run(TRANSACTIONS / 4);
                    received.addAll(debezium.receiveUntilPing(workload.ping()));
                }
                // The rest while the connector is stopped: it resumes from its offsets (a GTID set) and history file,
                // and reads a DDL it has not seen yet.
                workload.run(TRANSACTIONS / 4);
                workload.dropNote(coordinator);
                workload.run(TRANSACTIONS - 3 * (TRANSACTIONS / 4));
                try (Debezium debezium = Debezium.start(dumper.port(), state)) {
                    received.addAll(debezium.receiveUntilPing(workload.ping()));
                }
                assertNull(pipeline.failure());
                assertInCommitOrder(workload.committedTransactions, received);
                System.out.println("DebeziumConnectorTest: " + received.size() + " row changes of "
                        + workload.committed + " committed transactions (" + workload.rolledBack + " rolled back),"
                        + " across a restart of the connector");
            }
        }
    }

    /**
     * The global binlog orders what each data node committed as that node did, and distributed transactions by
     * their commit timestamps, each one whole; local transactions of different nodes have no order between them.
     * So: exactly the committed changes; per node, in that node's commit order; every distributed transaction's
     * changes contiguous, and distributed transactions in the order they committed.
     */
    private static void assertInCommitOrder(List<List<Change>> transactions, List<Change> received) {
        List<Change> all = transactions.stream().flatMap(List::stream).toList();
        List<Change> missing = new ArrayList<>(all);
        missing.removeAll(received);
        List<Change> unexpected = new ArrayList<>(received);
        unexpected.removeAll(all);
        assertEquals(List.of(), missing, () -> "committed row changes that did not arrive, of transactions "
                + missing.stream().map(c -> transactions.indexOf(transactions.stream().filter(t -> t.contains(c))
                        .findFirst().orElseThrow())).distinct().toList() + " of " + transactions.size());
        assertEquals(List.of(), unexpected, "row changes that arrived but were not committed");
        assertEquals(all.size(), received.size(), "row changes received (some twice?)");
        for (int node = 0; node < 2; node++) {
            int n = node;
            assertEquals(all.stream().filter(c -> c.node() == n).toList(),
                    received.stream().filter(c -> c.node() == n).toList(), "node " + node + "'s changes in its commit order");
        }
        Map<Change, Integer> at = new java.util.HashMap<>();
        for (int i = 0; i < received.size(); i++) {
            at.put(received.get(i), i);
        }
        int previous = -1;
        for (List<Change> tx : transactions) {
            if (tx.stream().map(Change::node).distinct().count() < 2) {
                continue;
            }
            List<Integer> positions = tx.stream().map(at::get).sorted().toList();
            assertEquals(positions.get(0) + tx.size() - 1, positions.get(positions.size() - 1),
                    () -> "a distributed transaction's changes are contiguous: " + tx);
            assertTrue(positions.get(0) > previous, () -> "distributed transactions in commit order: " + tx);
            previous = positions.get(0);
        }
    }

    /** One row change as Debezium tells it: its operation, table, and the rows before and after by column name. */
    record Change(String op, String table, Map<String, Object> before, Map<String, Object> after) {

        /** The data node of an orders row: even ids on the first, odd on the second. */
        int node() {
            return (Integer) (after != null ? after : before).get("id") % 2;
        }

        static Change of(SourceRecord record) {
            Struct value = (Struct) record.value();
            Struct source = value.getStruct("source");
            return new Change(value.getString("op"), source.getString("table"), row(value.getStruct("before")),
                    row(value.getStruct("after")));
        }

        private static Map<String, Object> row(Struct row) {
            if (row == null) {
                return null;
            }
            Map<String, Object> columns = new LinkedHashMap<>();
            for (Field field : row.schema().fields()) {
                columns.put(field.name(), row.get(field));
            }
            return columns;
        }
    }

    /**
     * Random transactions over {@code shop.orders} on two nodes (even ids on the first, odd on the second), and the
     * changes Debezium must report for them.
     */
    private static final class Workload {
        private final CoordinatorSession session;
        private final String first;
        private final String second;
        private final Random random;
        private final List<Map<Integer, Map<String, Object>>> rows = List.of(new TreeMap<>(), new TreeMap<>());
        private final int[] nextId = {0, 1};
        private boolean hasNote = true;
        private boolean hasTag;
        /** Each committed transaction's changes, in commit order. */
        final List<List<Change>> committedTransactions = new ArrayList<>();
        int committed;
        int rolledBack;
        private int pings;

        Workload(CoordinatorSession session, String first, String second, Random random) {
            this.session = session;
            this.first = first;
            this.second = second;
            this.random = random;
        }

        /**
         * A row in the ping table of both nodes, one distributed transaction: the global binlog places it after
         * everything either node committed before it (a local ping would only follow its own node's transactions).
         * Returns its id.
         */
        int ping() throws Exception {
            int id = ++pings;
            try (Transaction tx = session.begin(first, second)) {
                tx.update(first, null, "INSERT INTO shop.ping VALUES (?)", id);
                tx.update(second, null, "INSERT INTO shop.ping VALUES (?)", id);
                tx.commit();
            }
            return id;
        }

        void pingUnchecked() {
            try {
                ping();
            } catch (Exception e) {
                throw new IllegalStateException("ping: " + e.getMessage(), e);
            }
        }

        /** {@code ALTER TABLE orders ADD COLUMN tag}: every row gets the default. */
        void addTag(Coordinator coordinator) throws Exception {
            ddl(coordinator, "ALTER TABLE orders ADD COLUMN tag VARCHAR(16) NOT NULL DEFAULT 'none'",
                    row -> row.put("tag", "none"));
            hasTag = true;
        }

        /** {@code ALTER TABLE orders DROP COLUMN note}: a column in the middle goes, the later ones move up. */
        void dropNote(Coordinator coordinator) throws Exception {
            ddl(coordinator, "ALTER TABLE orders DROP COLUMN note", row -> row.remove("note"));
            hasNote = false;
        }

        private void ddl(Coordinator coordinator, String ddl, Consumer<Map<String, Object>> change)
                throws Exception {
            coordinator.ddl("shop", ddl);
            for (Map<Integer, Map<String, Object>> table : rows) {
                table.replaceAll((id, row) -> {
                    Map<String, Object> changed = new LinkedHashMap<>(row); // rows already expected stay as they were
                    change.accept(changed);
                    return changed;
                });
            }
        }

        void run(int transactions) throws Exception {
            for (int t = 0; t < transactions; t++) {
                transaction();
            }
        }

        private void transaction() throws Exception {
            boolean distributed = random.nextBoolean();
            boolean rollback = random.nextInt(8) == 0;
            int home = random.nextInt(2);
            List<Integer> participants = distributed ? List.of(home, 1 - home) : List.of(home);
            List<List<Change>> changes = List.of(new ArrayList<>(), new ArrayList<>());
            List<Map<Integer, Map<String, Object>>> after = List.of(new TreeMap<>(rows.get(0)), new TreeMap<>(rows.get(1)));
            try (Transaction tx = session.begin(participants.stream().map(this::node).toList())) {
                for (int node : participants) {
                    for (int k = 1 + random.nextInt(3); k > 0; k--) {
                        statement(tx, node, after.get(node), changes.get(node));
                    }
                }
                if (rollback) {
                    if (distributed && random.nextBoolean()) {
                        tx.prepare();
                    }
                    tx.rollback();
                    rolledBack++;
                    return;
                }
                tx.commit();
            }
            committed++;
            rows.get(0).putAll(after.get(0));
            rows.get(0).keySet().retainAll(after.get(0).keySet());
            rows.get(1).putAll(after.get(1));
            rows.get(1).keySet().retainAll(after.get(1).keySet());
            List<Change> all = new ArrayList<>(changes.get(0));
            all.addAll(changes.get(1));
            committedTransactions.add(all);
        }

        private void statement(Transaction tx, int node, Map<Integer, Map<String, Object>> table, List<Change> changes)
                throws Exception {
            int kind = table.size() < 3 ? 0 : random.nextInt(4);
            if (kind <= 1) {
                int id = nextId[node];
                nextId[node] += 2;
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("id", id);
                row.put("customer", "c-" + random.nextInt(1000) + " \u00e9\u4e2d\ud83d\ude00");
                row.put("amount", random.nextInt(1_000_000) / 100 + "." + String.format("%02d", random.nextInt(100)));
                row.put("qty", random.nextLong() >> 4);
                if (hasNote) {
                    row.put("note", random.nextBoolean() ? null : "note " + id);
                }
                if (hasTag) {
                    row.put("tag", "t" + random.nextInt(100));
                }
                tx.update(node(node), null, "INSERT INTO shop.orders (" + String.join(", ", row.keySet()) + ") VALUES ("
                        + String.join(", ", Collections.nCopies(row.size(), "?")) + ")", row.values().toArray());
                table.put(id, row);
                changes.add(new Change("c", "orders", null, row));
            } else {
                List<Integer> ids = new ArrayList<>(table.keySet());
                int id = ids.get(random.nextInt(ids.size()));
                Map<String, Object> before = table.get(id);
                if (kind == 2) {
                    Map<String, Object> row = new LinkedHashMap<>(before);
                    row.put("qty", (Long) before.get("qty") + 1);
                    String column = hasNote ? "note" : "tag";
                    row.put(column, hasNote && random.nextBoolean() ? null : "u" + random.nextInt(100));
                    tx.update(node(node), null, "UPDATE shop.orders SET qty = qty + 1, " + column + " = ? WHERE id = ?",
                            row.get(column), id);
                    table.put(id, row);
                    changes.add(new Change("u", "orders", before, row));
                } else {
                    tx.update(node(node), null, "DELETE FROM shop.orders WHERE id = ?", id);
                    table.remove(id);
                    changes.add(new Change("d", "orders", before, null));
                }
            }
        }

        private String node(int index) {
            return index == 0 ? first : second;
        }
    }

    /** The Debezium MySQL connector in its embedded engine, pointed at the dumper; its changes are queued. */
    private static final class Debezium implements AutoCloseable {
        private final DebeziumEngine<ChangeEvent<SourceRecord, SourceRecord>> engine;
        private final ExecutorService executor = Executors.newSingleThreadExecutor();
        private final LinkedBlockingQueue<Change> changes = new LinkedBlockingQueue<>();
        private final AtomicReference<String> stopped = new AtomicReference<>();

        private Debezium(int port, Path dir) {
            Properties p = new Properties();
            p.setProperty("name", "gbinlog-debezium");
            p.setProperty("connector.class", "io.debezium.connector.mysql.MySqlConnector");
            p.setProperty("topic.prefix", "gbinlog");
            p.setProperty("database.hostname", "127.0.0.1");
            p.setProperty("database.port", Integer.toString(port));
            p.setProperty("database.user", "repl");
            p.setProperty("database.password", "secret");
            p.setProperty("database.server.id", "5401");
            p.setProperty("database.include.list", "shop");
            p.setProperty("snapshot.mode", "no_data");
            p.setProperty("snapshot.locking.mode", "none");
            p.setProperty("decimal.handling.mode", "string");
            p.setProperty("include.schema.changes", "false");
            p.setProperty("offset.storage", "org.apache.kafka.connect.storage.FileOffsetBackingStore");
            p.setProperty("offset.storage.file.filename", dir.resolve("offsets.dat").toString());
            p.setProperty("offset.flush.interval.ms", "1000");
            p.setProperty("schema.history.internal", "io.debezium.storage.file.history.FileSchemaHistory");
            p.setProperty("schema.history.internal.file.filename", dir.resolve("schema-history.dat").toString());
            p.setProperty("connect.max.attempts", "1");
            p.setProperty("errors.max.retries", "0");
            engine = DebeziumEngine.create(Connect.class)
                    .using(p)
                    .notifying(event -> {
                        SourceRecord record = event.value();
                        if (record.value() instanceof Struct value && value.schema().field("op") != null) {
                            changes.add(Change.of(record));
                        }
                    })
                    .using((success, message, error) -> stopped.set((success ? "" : "failed: ") + message
                            + (error == null ? "" : " (" + error + ")")))
                    .build();
        }

        static Debezium start(int port, Path dir) throws Exception {
            Files.createDirectories(dir);
            Debezium debezium = new Debezium(port, dir);
            debezium.executor.execute(debezium.engine);
            return debezium;
        }

        /** True once something was received, which is then dropped (the pings that show the connector streams). */
        boolean streams() {
            failIfStopped();
            boolean any = !changes.isEmpty();
            changes.clear();
            return any;
        }

        /** The row changes of orders received until the ping {@code id} arrives. */
        List<Change> receiveUntilPing(int id) {
            List<Change> received = new ArrayList<>();
            Await.until("ping " + id, TIMEOUT, () -> {
                failIfStopped();
                List<Change> batch = new ArrayList<>();
                changes.drainTo(batch);
                boolean pinged = false;
                for (Change change : batch) {
                    if (!change.table().equals("ping")) {
                        received.add(change);
                    } else if (id == (Integer) change.after().get("id")) {
                        pinged = true;
                    }
                }
                return pinged;
            });
            return received;
        }

        private void failIfStopped() {
            String message = stopped.get();
            if (message != null) {
                throw new AssertionError("the Debezium engine stopped: " + message);
            }
        }

        @Override
        public void close() throws Exception {
            engine.close();
            executor.shutdown();
            if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the Debezium engine did not stop within 30 s");
            }
        }
    }
}
