package io.gbinlog.integration.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.alibaba.otter.canal.parse.driver.mysql.packets.server.ResultSetPacket;
import com.alibaba.otter.canal.parse.inbound.TableMeta;
import com.alibaba.otter.canal.parse.inbound.mysql.MysqlConnection;
import com.alibaba.otter.canal.parse.inbound.mysql.MysqlEventParser;
import com.alibaba.otter.canal.parse.inbound.mysql.tsdb.MemoryTableMeta;
import com.alibaba.otter.canal.parse.index.MemoryLogPositionManager;
import com.alibaba.otter.canal.parse.support.AuthenticationInfo;
import com.alibaba.otter.canal.protocol.CanalEntry;
import com.alibaba.otter.canal.protocol.position.EntryPosition;
import com.alibaba.otter.canal.sink.AbstractCanalEventSink;
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
import io.gbinlog.meta.schema.NameMapping;
import io.gbinlog.meta.schema.SchemaHistory;
import io.gbinlog.meta.schema.SchemaSnapshot;
import io.gbinlog.meta.tso.JdbcTsoClient;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Canal's own parser ({@link MysqlEventParser}, its default table-meta settings: no TSDB, table metadata from
 * {@code SHOW CREATE TABLE} on the source) follows the dumper from the start of the global binlog while a workload
 * of distributed transactions runs over two data nodes, and receives every row change with its schema, table and
 * column names.
 */
class CanalClientTest {

    private static final Map<String, String> USERS = Map.of("canal", "canal-secret");
    private static final Map<String, List<String>> COLUMNS = Map.of(
            "orders", List.of("id", "customer", "amount", "note"),
            "items", List.of("id", "label", "qty"));
    private static final int TRANSACTIONS = 200;

    @TempDir
    Path tmp;

    /** One row change as Canal reports it, or as the workload made it. */
    private record Change(CanalEntry.EventType type, String schema, String table, long id, List<String> columns) {
    }

    @Test
    void canalReceivesEveryRowChangeWithItsNames() throws Exception {
        long seed = Long.getLong("gbinlog.seed", System.nanoTime());
        System.out.println("CanalClientTest seed=" + seed + " (rerun with -Dgbinlog.seed=" + seed + ")");
        try (LocalCluster cluster = LocalCluster.start(2); TestTso tso = TestTso.start();
             JdbcTsoClient clock = new JdbcTsoClient(TestTso.HOST, tso.port(), TestTso.USER, TestTso.PASSWORD)) {
            List<DataNode> nodes = cluster.nodes();
            for (DataNode node : nodes) { // before the first start: part of the schema the history starts from
                try (Connection c = node.connect(); Statement s = c.createStatement()) {
                    s.execute("CREATE DATABASE shop");
                    s.execute("CREATE TABLE shop.orders (id BIGINT PRIMARY KEY, customer VARCHAR(40) NOT NULL,"
                            + " amount DECIMAL(10,2), note TEXT) DEFAULT CHARSET=utf8mb4");
                    s.execute("CREATE TABLE shop.items (id BIGINT PRIMARY KEY, label VARCHAR(20),"
                            + " qty INT UNSIGNED NOT NULL) DEFAULT CHARSET=utf8mb4");
                }
            }
            Coordinator coordinator = Coordinator.builder().nodes(nodes).tso(tso.clients()).build();
            List<Change> received = new CopyOnWriteArrayList<>();
            try (SchemaHistory history = history(tmp.resolve("schema"), nodes, clock.next());
                 Pipeline pipeline = Pipeline.start(PipelineTesting.settings(nodes, tmp.resolve("storage"), tso));
                 Dumper dumper = Dumper.start(pipeline.globalBinlog(), history, HostPort.parse("127.0.0.1:0"), USERS)) {
                MysqlEventParser canal = canal(dumper.port(), received);
                canal.start();
                try {
                    List<Change> made = workload(coordinator, nodes, new Random(seed));
                    assertTrue(pipeline.awaitDurable(clock.next(), Duration.ofSeconds(60)), "caught up");
                    assertNull(pipeline.failure());
                    Await.until("Canal receives all " + made.size() + " row changes", Duration.ofSeconds(120),
                            () -> received.size() >= made.size());
                    assertEquals(sorted(made), sorted(received));
                    assertTsdbSnapshot(dumper.port());
                } finally {
                    canal.stop();
                }
            }
        }
    }

    /**
     * The schema history the dumper answers from, started from the data nodes as the pipeline's first start
     * starts its own.
     */
    private static SchemaHistory history(Path dir, List<DataNode> nodes, long cts) throws Exception {
        List<Connection> connections = new ArrayList<>();
        try {
            for (DataNode node : nodes) {
                connections.add(node.connect());
            }
            SchemaHistory history = SchemaHistory.open(dir);
            history.bootstrap(cts, SchemaSnapshot.read(connections, NameMapping.identity()));
            return history;
        } finally {
            for (Connection connection : connections) {
                connection.close();
            }
        }
    }

    /** Canal's parser as Canal's own tests set it up, started at the first file of the global binlog. */
    private static MysqlEventParser canal(int port, List<Change> received) {
        MysqlEventParser parser = new MysqlEventParser();
        parser.setDestination("gbinlog");
        parser.setSlaveId(4242L);
        parser.setConnectionCharsetStd(StandardCharsets.UTF_8);
        parser.setDetectingEnable(false);
        parser.setMasterInfo(new AuthenticationInfo(new InetSocketAddress("127.0.0.1", port), "canal", "canal-secret"));
        parser.setMasterPosition(new EntryPosition("binlog.000001", 4L));
        parser.setIsGTIDMode(false);
        // Canal's parallel parsing is written for Disruptor 3; the project pins Disruptor 4 (no WorkHandler).
        parser.setParallel(false);
        MemoryLogPositionManager positions = new MemoryLogPositionManager();
        positions.start();
        parser.setLogPositionManager(positions);
        parser.setEventSink(new AbstractCanalEventSink<List<CanalEntry.Entry>>() {
            @Override
            public boolean sink(List<CanalEntry.Entry> entries, InetSocketAddress address, String destination) {
                for (CanalEntry.Entry entry : entries) {
                    if (entry.getEntryType() == CanalEntry.EntryType.ROWDATA) {
                        received.addAll(changes(entry));
                    }
                }
                return true;
            }
        });
        return parser;
    }

    private static List<Change> changes(CanalEntry.Entry entry) {
        CanalEntry.RowChange rowChange;
        try {
            rowChange = CanalEntry.RowChange.parseFrom(entry.getStoreValue());
        } catch (Exception e) {
            throw new IllegalStateException("Canal gave an unreadable row change: " + entry, e);
        }
        List<Change> changes = new ArrayList<>();
        if (rowChange.getIsDdl()) {
            return changes;
        }
        for (CanalEntry.RowData row : rowChange.getRowDatasList()) {
            List<CanalEntry.Column> columns = rowChange.getEventType() == CanalEntry.EventType.DELETE
                    ? row.getBeforeColumnsList() : row.getAfterColumnsList();
            changes.add(new Change(rowChange.getEventType(), entry.getHeader().getSchemaName(),
                    entry.getHeader().getTableName(), Long.parseLong(columns.get(0).getValue()),
                    columns.stream().map(CanalEntry.Column::getName).toList()));
        }
        return changes;
    }

    /**
     * Distributed transactions over both nodes: an insert on each, and now and then an update or a delete of an
     * earlier row. Returns the row changes made, as Canal should report them.
     */
    private static List<Change> workload(Coordinator coordinator, List<DataNode> nodes, Random random) throws Exception {
        List<Change> made = new ArrayList<>();
        List<List<Long>> live = List.of(new ArrayList<>(), new ArrayList<>());
        long nextId = 1;
        try (CoordinatorSession session = coordinator.openSession()) {
            for (int t = 0; t < TRANSACTIONS; t++) {
                try (Transaction tx = session.begin(nodes.get(0).id(), nodes.get(1).id())) {
                    for (int n = 0; n < 2; n++) {
                        String node = nodes.get(n).id();
                        long id = nextId++;
                        tx.update(node, "ins." + id, "INSERT INTO shop.orders VALUES (?, ?, ?, ?)", id,
                                "cust-" + random.nextInt(1000) + " \u00e9\u4e2d", random.nextInt(100000) / 100.0,
                                random.nextBoolean() ? null : "note " + t);
                        made.add(change(CanalEntry.EventType.INSERT, "orders", id));
                        if (random.nextInt(3) == 0) {
                            long item = nextId++;
                            tx.update(node, "item." + item, "INSERT INTO shop.items VALUES (?, ?, ?)", item,
                                    "label " + t, random.nextInt(100));
                            made.add(change(CanalEntry.EventType.INSERT, "items", item));
                        }
                        List<Long> ids = live.get(n);
                        int kind = random.nextInt(4);
                        if (kind == 0 && !ids.isEmpty()) {
                            long updated = ids.get(random.nextInt(ids.size()));
                            tx.update(node, "upd." + updated, "UPDATE shop.orders SET amount = amount + 1 WHERE id = ?",
                                    updated);
                            made.add(change(CanalEntry.EventType.UPDATE, "orders", updated));
                        } else if (kind == 1 && !ids.isEmpty()) {
                            long deleted = ids.remove(random.nextInt(ids.size()));
                            tx.update(node, "del." + deleted, "DELETE FROM shop.orders WHERE id = ?", deleted);
                            made.add(change(CanalEntry.EventType.DELETE, "orders", deleted));
                        }
                        ids.add(id);
                    }
                    tx.commit();
                }
            }
        }
        return made;
    }

    private static Change change(CanalEntry.EventType type, String table, long id) {
        return new Change(type, "shop", table, id, COLUMNS.get(table));
    }

    /**
     * Canal's table-meta TSDB (on in Canal's server by default) first takes a snapshot of the source's schema:
     * SHOW DATABASES, SHOW FULL TABLES per schema, then every table's SHOW CREATE TABLE in one multi-statement
     * query, parsed by its MemoryTableMeta. The same queries, through Canal's own connection and parser.
     */
    private static void assertTsdbSnapshot(int port) throws Exception {
        MysqlConnection connection = new MysqlConnection(new InetSocketAddress("127.0.0.1", port), "canal",
                "canal-secret");
        connection.connect();
        try {
            assertEquals(List.of("shop"), connection.query("show databases").getFieldValues());
            ResultSetPacket tables = connection.query("show full tables from `shop` where Table_type = 'BASE TABLE'");
            assertEquals(List.of("items", "BASE TABLE", "orders", "BASE TABLE"), tables.getFieldValues());
            List<ResultSetPacket> creates = connection.queryMulti(
                    "show create table `shop`.`items`;show create table `shop`.`orders`;");
            assertEquals(2, creates.size());
            MemoryTableMeta meta = new MemoryTableMeta();
            for (ResultSetPacket create : creates) {
                assertTrue(meta.apply(null, "shop", create.getFieldValues().get(1), null), create::toString);
            }
            for (String table : List.of("orders", "items")) {
                TableMeta found = meta.find("shop", table);
                assertEquals(COLUMNS.get(table), found.getFields().stream().map(TableMeta.FieldMeta::getColumnName).toList());
                assertTrue(found.getFields().get(0).isKey(), table + ".id is the primary key");
            }
        } finally {
            connection.disconnect();
        }
    }

    private static List<String> sorted(List<Change> changes) {
        List<String> lines = new ArrayList<>(changes.stream().map(Change::toString).toList());
        Collections.sort(lines);
        return lines;
    }
}
