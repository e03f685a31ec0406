package io.gbinlog.integration.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.integration.coordinator.Coordinator;
import io.gbinlog.integration.pipeline.GlobalBinlogContent.Change;
import io.gbinlog.integration.pipeline.GlobalBinlogContent.Tx;
import io.gbinlog.integration.testing.TestTso;
import io.gbinlog.integration.workload.ShopWorkload;
import io.gbinlog.merger.pipeline.Pipeline;
import io.gbinlog.meta.schema.TableSchema;
import io.gbinlog.meta.tso.JdbcTsoClient;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's first acceptance: two data nodes hold {@code orders} as four physical tables under shard-suffixed schema
 * names ({@link ShopWorkload}), created before the pipeline's first start. Under the shop workload, the global
 * binlog read with {@code mariadb-binlog -v} shows only {@code shop.orders}, no physical name is anywhere in its
 * files (statement texts included), and {@code mariadb-binlog | mariadb} into a fresh MariaDB gives the union of the
 * shards in one table.
 */
class ShardedNamesTest {

    private static final Pattern TABLE_MAP = Pattern.compile("Table_map: (\\S+) mapped to number (\\d+)");
    private static final String COLUMNS = "id, customer, amount, qty";

    @TempDir
    Path tmp;

    @Test
    void theGlobalBinlogShowsOneLogicalTableAndReplaysToTheUnionOfTheShards() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3); TestTso tso = TestTso.start();
             JdbcTsoClient clock = new JdbcTsoClient(TestTso.HOST, tso.port(), TestTso.USER, TestTso.PASSWORD)) {
            List<DataNode> nodes = cluster.nodes().subList(0, 2);
            DataNode fresh = cluster.node(2);
            Coordinator coordinator = Coordinator.builder().nodes(nodes).tso(tso.clients()).lockWaitTimeoutSeconds(1)
                    .build();
            ShopWorkload shop = new ShopWorkload(coordinator, 3, ShopWorkload.seedFromProperty());
            System.out.println("ShardedNamesTest seed=" + shop.seed() + " (rerun with -Dgbinlog.seed=" + shop.seed()
                    + ")");
            shop.createBeforeFirstStart(); // the first-start snapshot holds shop.orders; no DDL in the global binlog
            Path storage = tmp.resolve("storage");
            TableSchema orders;
            try (Pipeline pipeline = Pipeline.start(ShopChecks.settings(nodes, storage, tso))) {
                orders = pipeline.schemaHistory().table("shop", "orders");
                assertNotNull(orders, () -> "the first-start snapshot has shop.orders: "
                        + pipeline.schemaHistory().databases());
                assertTrue(pipeline.schemaHistory().databases().stream().noneMatch(db -> db.startsWith("shop_p")),
                        () -> "no shard schema in the history: " + pipeline.schemaHistory().databases());
                shop.start();
                try {
                    ShopChecks.awaitCommits(shop, 400);
                } finally {
                    shop.stop();
                }
                assertTrue(pipeline.awaitDurable(clock.next(), Duration.ofSeconds(60)), "caught up");
                assertNull(pipeline.failure());
                assertEquals(0, pipeline.stats().tableMapsWithoutMetadata(), "every table map has its column names");
            }
            System.out.println("ShardedNamesTest: " + shop);

            List<Path> files = GlobalBinlogContent.files(storage.resolve("binlog"));
            ShopChecks.assertNoPhysicalNames(files);
            String decoded = Replay.decode(files, tmp);
            Set<String> mapped = new TreeSet<>();
            Matcher m = TABLE_MAP.matcher(decoded);
            while (m.find()) {
                mapped.add(m.group(1));
            }
            assertEquals(Set.of("`shop`.`orders`"), mapped, "the tables mariadb-binlog -v shows");
            List<Tx> txs = GlobalBinlogContent.read(storage.resolve("binlog"));
            List<Change> changes = txs.stream().flatMap(t -> t.changes().stream()).toList();
            assertTrue(txs.stream().anyMatch(t -> t.isDistributed() && !t.changes().isEmpty()),
                    "distributed transactions over shards of both nodes");
            assertEquals(changes.size(), Replay.rowChanges(decoded, "shop", "orders").size(),
                    "mariadb-binlog decodes every row change as one of shop.orders");
            assertEquals(1, changes.stream().map(Change::tableId).distinct().count(),
                    "one table id for the one version of shop.orders");
            assertEquals(List.of("id", "customer", "amount", "qty"), changes.get(0).columnNames());

            try (Connection c = fresh.connect(); Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE shop");
                c.setCatalog("shop");
                s.execute(orders.createTable()); // the schema history's logical definition
            }
            Replay.apply(files, fresh, tmp);
            List<String> union = ShopChecks.shardRows(shop, nodes, "orders_<n>", COLUMNS);
            assertFalse(union.isEmpty());
            assertEquals(union, ShopChecks.rows(fresh, "shop.orders", COLUMNS),
                    "the replayed shop.orders is the union of the four shards");
        }
    }
}
