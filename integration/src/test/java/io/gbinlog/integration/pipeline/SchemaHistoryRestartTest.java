package io.gbinlog.integration.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.shyiko.mysql.binlog.BinaryLogClient;
import com.github.shyiko.mysql.binlog.event.DeleteRowsEventData;
import com.github.shyiko.mysql.binlog.event.EventData;
import com.github.shyiko.mysql.binlog.event.QueryEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.UpdateRowsEventData;
import com.github.shyiko.mysql.binlog.event.WriteRowsEventData;
import io.gbinlog.dumper.server.Dumper;
import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.integration.coordinator.Coordinator;
import io.gbinlog.integration.coordinator.DdlResult;
import io.gbinlog.integration.pipeline.GlobalBinlogContent.Change;
import io.gbinlog.integration.pipeline.GlobalBinlogContent.Tx;
import io.gbinlog.integration.testing.Await;
import io.gbinlog.integration.testing.ChildJvm;
import io.gbinlog.integration.testing.ReplicaStatus;
import io.gbinlog.integration.testing.TestTso;
import io.gbinlog.integration.workload.ShopWorkload;
import io.gbinlog.merger.pipeline.Pipeline;
import io.gbinlog.merger.pipeline.PipelineSettings;
import io.gbinlog.meta.config.HostPort;
import io.gbinlog.meta.schema.ColumnSchema;
import io.gbinlog.meta.schema.NameMapping;
import io.gbinlog.meta.schema.SchemaHistory;
import io.gbinlog.meta.schema.TableSchema;
import io.gbinlog.meta.tso.JdbcTsoClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's last acceptance: the schema history survives restarts, and a consumer that starts from an old position
 * sees the schema of that time. The shop (created before the first start) goes through a column rename, a closed and
 * restarted pipeline, an added column, a pipeline in a child JVM that creates a table and is killed with SIGKILL, and
 * a pipeline started again on the same storage. After each restart the history gives the same answers as before for
 * every cts asked before; at the end, a mysql-binlog-connector-java client reading the global binlog from its start
 * through the dumper finds in each table map's optional metadata the column names of that event's time.
 */
class SchemaHistoryRestartTest {

    private static final String RENAME = "ALTER TABLE orders CHANGE qty quantity INT NOT NULL DEFAULT 1";
    private static final String ADD = "ALTER TABLE orders ADD COLUMN note VARCHAR(32) NULL";
    private static final String CUSTOMERS = "CREATE TABLE customers (id BIGINT PRIMARY KEY, name VARCHAR(32) NOT NULL)";
    /** The names of shop.orders after 0, 1 and 2 of its ALTERs. */
    private static final List<List<String>> ORDERS_NAMES = List.of(
            List.of("id", "customer", "amount", "qty"),
            List.of("id", "customer", "amount", "quantity"),
            List.of("id", "customer", "amount", "quantity", "note"));
    private static final Map<String, String> USERS = Map.of("repl", "secret");

    /** What the history says at one cts. */
    private record Answers(List<String> databases, List<TableSchema> shopTables, TableSchema orders) {
    }

    @TempDir
    Path tmp;

    @Test
    void restartsKeepTheHistoryAndAnOldPositionShowsTheNamesOfItsTime() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(2); TestTso tso = TestTso.start();
             JdbcTsoClient clock = new JdbcTsoClient(TestTso.HOST, tso.port(), TestTso.USER, TestTso.PASSWORD)) {
            List<DataNode> nodes = cluster.nodes();
            Coordinator coordinator = Coordinator.builder().nodes(nodes).tso(tso.clients()).lockWaitTimeoutSeconds(1)
                    .build();
            ShopWorkload shop = new ShopWorkload(coordinator, 2, ShopWorkload.seedFromProperty());
            System.out.println("SchemaHistoryRestartTest seed=" + shop.seed() + " (rerun with -Dgbinlog.seed="
                    + shop.seed() + ")");
            shop.createBeforeFirstStart();
            Path storage = tmp.resolve("storage");
            PipelineSettings settings = ShopChecks.settings(nodes, storage, tso);
            List<Long> probes = new ArrayList<>(); // cts the history is asked about after each restart
            Map<Long, Answers> answers;

            DdlResult renamed;
            try (Pipeline pipeline = Pipeline.start(settings)) {
                probes.add(clock.next());
                renamed = writeAround(shop, RENAME, shard -> "ALTER TABLE " + ShopWorkload.orders(shard)
                        + " CHANGE qty quantity INT NOT NULL DEFAULT 1");
                probes.addAll(List.of(renamed.ddlLog().cts() - 1, renamed.ddlLog().cts(), clock.next()));
                caughtUp(pipeline, clock);
                answers = answers(pipeline.schemaHistory(), probes);
            }
            assertEquals(ORDERS_NAMES.get(0), names(answers.get(probes.get(0)).orders()));
            assertEquals(ORDERS_NAMES.get(1), names(answers.get(renamed.ddlLog().cts()).orders()));

            DdlResult added;
            try (Pipeline pipeline = Pipeline.start(settings)) {
                assertEquals(answers, answers(pipeline.schemaHistory(), probes), "the history after close and start");
                added = writeAround(shop, ADD, shard -> "ALTER TABLE " + ShopWorkload.orders(shard)
                        + " ADD COLUMN note VARCHAR(32) NULL");
                probes.addAll(List.of(added.ddlLog().cts() - 1, added.ddlLog().cts(), clock.next()));
                caughtUp(pipeline, clock);
                answers = answers(pipeline.schemaHistory(), probes);
            }
            assertEquals(ORDERS_NAMES.get(2), names(answers.get(added.ddlLog().cts()).orders()));

            DdlResult created;
            String names = "logicalNames:\n" + ShopWorkload.NAME_RULES.stream().map(r -> "  - {physical: \""
                    + r.physical() + "\", logical: \"" + r.logical() + "\"}\n").reduce("", String::concat);
            try (ChildJvm child = ChildJvm.start(PipelineProcessMain.class,
                    PipelineCrashRestartTest.writeConfig(nodes, tso, storage, names).toString())) {
                child.awaitLine("started", 60);
                created = writeAround(shop, CUSTOMERS, shard -> CUSTOMERS.replace("customers",
                        ShopWorkload.schema(shard) + ".customers"));
                PipelineCrashRestartTest.awaitDurable(child, created.ddlLog().cts());
                shop.start();
                ShopChecks.awaitCommits(shop, 50);
                child.kill(); // the history has the CREATE TABLE; the last checkpoint may be before it
                shop.stop();
            }

            try (Pipeline pipeline = Pipeline.start(settings)) {
                assertEquals(answers, answers(pipeline.schemaHistory(), probes), "the history after SIGKILL");
                caughtUp(pipeline, clock);
                SchemaHistory history = pipeline.schemaHistory();
                assertNull(history.table("shop", "customers", created.ddlLog().cts() - 1));
                assertNotNull(history.table("shop", "customers", created.ddlLog().cts()));
                assertEquals(List.of("customers", "orders"), history.tables("shop").stream().map(TableSchema::table)
                        .sorted().toList());
                assertEquals(0, pipeline.stats().tableMapsWithoutMetadata());

                List<Tx> txs = GlobalBinlogContent.read(storage.resolve("binlog"));
                assertEquals(List.of(RENAME, ADD, CUSTOMERS), txs.stream().filter(t -> t.ddl() != null)
                        .map(t -> t.ddl().replaceFirst("^/\\* gbinlog cts=[^*]* \\*/ ", "")).toList(),
                        "each DDL once across the restarts");
                int rows = 0;
                for (Tx tx : txs) {
                    for (Change change : tx.changes()) {
                        String[] name = change.table().split("\\.");
                        assertEquals(names(history.table(name[0], name[1], tx.cts())), change.columnNames(),
                                () -> "the column names of a " + change.table() + " row at cts " + tx.cts());
                        rows++;
                    }
                }
                assertTrue(rows > 0);

                try (Dumper dumper = Dumper.start(pipeline.globalBinlog(), history, HostPort.parse("127.0.0.1:0"),
                        USERS)) {
                    Map<List<String>, Integer> seen = readFromStart(dumper.port());
                    assertEquals(ORDERS_NAMES.size(), seen.size(), "rows under every version of orders: " + seen);
                }
            }
            System.out.println("SchemaHistoryRestartTest: " + shop);
        }
    }

    /** Runs the workload, then the DDL (the workload stopped: a phase may end with a restart), then the workload. */
    private static DdlResult writeAround(ShopWorkload shop, String logicalDdl,
                                         IntFunction<String> physical) throws Exception {
        shop.start();
        ShopChecks.awaitCommits(shop, 60);
        DdlResult ddl = shop.ddl(logicalDdl, physical); // while the workers write: the barrier holds them
        ShopChecks.awaitCommits(shop, 60);
        shop.stop();
        return ddl;
    }

    private static void caughtUp(Pipeline pipeline, JdbcTsoClient clock) throws Exception {
        assertTrue(pipeline.awaitDurable(clock.next(), Duration.ofSeconds(60)), "caught up");
        assertNull(pipeline.failure());
    }

    private static Map<Long, Answers> answers(SchemaHistory history, List<Long> probes) {
        Map<Long, Answers> answers = new LinkedHashMap<>();
        for (long cts : probes) {
            answers.put(cts, new Answers(history.databases(cts), history.tables("shop", cts),
                    history.table("shop", "orders", cts)));
        }
        return answers;
    }

    private static List<String> names(TableSchema table) {
        assertNotNull(table);
        return table.columns().stream().map(ColumnSchema::name).toList();
    }

    /**
     * A mysql-binlog-connector-java client from the first file's start: for each shop.orders row event, the column
     * names its table map carries must be those after as many ALTERs as came before it in the stream. Returns how
     * many row events each list of names had.
     */
    private static Map<List<String>, Integer> readFromStart(int port) throws Exception {
        ReplicaStatus.Source end = ReplicaStatus.source(port, "repl", "secret");
        BinaryLogClient client = new BinaryLogClient("127.0.0.1", port, "repl", "secret");
        client.setServerId(9002);
        client.setBinlogFilename("binlog.000001");
        client.setBinlogPosition(4);
        client.setKeepAlive(false);
        Map<Long, TableMapEventData> maps = new HashMap<>();
        Map<List<String>, Integer> seen = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        int[] alters = {0};
        client.registerEventListener(event -> {
            EventData data = event.getData();
            long tableId;
            if (data instanceof TableMapEventData map) {
                maps.put(map.getTableId(), map);
                return;
            } else if (data instanceof QueryEventData query) {
                if (query.getSql().contains("ALTER TABLE orders")) {
                    alters[0]++;
                }
                return;
            } else if (data instanceof WriteRowsEventData w) {
                tableId = w.getTableId();
            } else if (data instanceof UpdateRowsEventData u) {
                tableId = u.getTableId();
            } else if (data instanceof DeleteRowsEventData d) {
                tableId = d.getTableId();
            } else {
                return;
            }
            TableMapEventData map = maps.get(tableId);
            if (map == null || !map.getTable().equals("orders")) {
                return;
            }
            List<String> names = map.getEventMetadata() == null ? null : map.getEventMetadata().getColumnNames();
            if (!ORDERS_NAMES.get(alters[0]).equals(names)) {
                problems.add("after " + alters[0] + " ALTERs a row event with columns " + names);
            }
            seen.merge(names, 1, Integer::sum);
        });
        client.connect(TimeUnit.SECONDS.toMillis(10));
        try {
            Await.until("the client reads up to " + end.file() + ":" + end.position(), Duration.ofSeconds(60),
                    () -> client.getBinlogFilename().equals(end.file())
                            && client.getBinlogPosition() >= end.position());
        } finally {
            client.disconnect();
        }
        assertEquals(List.of(), problems);
        return seen;
    }
}
