package io.gbinlog.integration.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.dumper.server.Dumper;
import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.integration.coordinator.Coordinator;
import io.gbinlog.integration.coordinator.CoordinatorSession;
import io.gbinlog.integration.coordinator.DdlResult;
import io.gbinlog.integration.coordinator.Transaction;
import io.gbinlog.integration.pipeline.GlobalBinlogContent.Change;
import io.gbinlog.integration.pipeline.GlobalBinlogContent.Tx;
import io.gbinlog.integration.testing.ReplicaStatus;
import io.gbinlog.integration.testing.TestTso;
import io.gbinlog.integration.workload.ShopWorkload;
import io.gbinlog.merger.pipeline.Pipeline;
import io.gbinlog.meta.config.HostPort;
import io.gbinlog.meta.tso.JdbcTsoClient;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5's DDL acceptance on the sharded shop: {@code shop} and {@code shop.orders} are created through the
 * coordinator after the pipeline started, then {@code ALTER TABLE orders ADD COLUMN} and {@code CREATE TABLE customers}
 * run through it while the shop workload keeps writing. The global binlog has each logical DDL once, at the cts of its
 * ddl_log transaction; every {@code shop.orders} row before the ALTER has the old column count and table id, every one
 * after it the new ones; and a MariaDB replica of the dumper, started empty, follows all of it without error and ends
 * with the union of the shards.
 */
class ShardedDdlTest {

    private static final String ALTER = "ALTER TABLE orders ADD COLUMN note VARCHAR(32) NULL";
    private static final String CUSTOMERS = "CREATE TABLE customers (id BIGINT PRIMARY KEY, name VARCHAR(32) NOT NULL)";
    private static final String CTS_MARKER = "^/\\* gbinlog cts=[^*]* \\*/ ";
    private static final Map<String, String> USERS = Map.of("repl", "secret");

    @TempDir
    Path tmp;

    @Test
    void logicalDdlsOnShardsComeOutOnceWhileTheWorkloadWritesAndAReplicaFollows() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3); TestTso tso = TestTso.start();
             JdbcTsoClient clock = new JdbcTsoClient(TestTso.HOST, tso.port(), TestTso.USER, TestTso.PASSWORD)) {
            List<DataNode> nodes = cluster.nodes().subList(0, 2);
            DataNode replica = cluster.node(2);
            Coordinator coordinator = Coordinator.builder().nodes(nodes).tso(tso.clients()).lockWaitTimeoutSeconds(1)
                    .build();
            ShopWorkload shop = new ShopWorkload(coordinator, 3, ShopWorkload.seedFromProperty());
            System.out.println("ShardedDdlTest seed=" + shop.seed() + " (rerun with -Dgbinlog.seed=" + shop.seed()
                    + ")");
            Path storage = tmp.resolve("storage");
            List<DdlResult> ddls = new ArrayList<>();
            try (Pipeline pipeline = Pipeline.start(ShopChecks.settings(nodes, storage, tso));
                 Dumper dumper = Dumper.start(pipeline.globalBinlog(), pipeline.schemaHistory(),
                         HostPort.parse("127.0.0.1:0"), USERS);
                 Connection c = replica.connect(); Statement s = c.createStatement()) {
                ddls.addAll(shop.createByDdl());
                s.execute("CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=" + dumper.port() + ","
                        + " MASTER_USER='repl', MASTER_PASSWORD='secret', MASTER_LOG_FILE='binlog.000001',"
                        + " MASTER_LOG_POS=4, MASTER_USE_GTID=no, MASTER_HEARTBEAT_PERIOD=1, MASTER_CONNECT_RETRY=1");
                s.execute("START SLAVE");
                try {
                    shop.start();
                    try {
                        ShopChecks.awaitCommits(shop, 150);
                        ddls.add(shop.ddl(ALTER, shard -> "ALTER TABLE " + ShopWorkload.orders(shard)
                                + " ADD COLUMN note VARCHAR(32) NULL"));
                        ShopChecks.awaitCommits(shop, 150);
                        ddls.add(shop.ddl(CUSTOMERS, shard -> CUSTOMERS.replace("customers",
                                ShopWorkload.schema(shard) + ".customers")));
                        addCustomers(coordinator, shop);
                        ShopChecks.awaitCommits(shop, 100);
                    } finally {
                        shop.stop();
                    }
                    assertTrue(pipeline.awaitDurable(clock.next(), Duration.ofSeconds(60)), "caught up");
                    assertNull(pipeline.failure());
                    assertEquals(0, pipeline.stats().ddlsOutsideProtocol());
                    assertEquals(0, pipeline.stats().tableMapsWithoutMetadata());
                    ReplicaStatus.awaitCaughtUp(s, ReplicaStatus.source(dumper.port(), "repl", "secret"));
                    Map<String, String> status = ReplicaStatus.of(s);
                    assertEquals("Yes", status.get("Slave_SQL_Running"), status::toString);
                    assertEquals("", status.get("Last_Error"), status::toString);
                } finally {
                    s.execute("STOP SLAVE");
                }
            }
            System.out.println("ShardedDdlTest: " + shop);

            List<Tx> txs = GlobalBinlogContent.read(storage.resolve("binlog"));
            ShopChecks.assertNoPhysicalNames(GlobalBinlogContent.files(storage.resolve("binlog")));
            List<Tx> ddlTxs = txs.stream().filter(t -> t.ddl() != null).toList();
            assertEquals(List.of("CREATE DATABASE shop", "CREATE TABLE orders " + ShopWorkload.ORDERS_COLUMNS, ALTER,
                            CUSTOMERS), ddlTxs.stream().map(t -> t.ddl().replaceFirst(CTS_MARKER, "")).toList(),
                    "each logical DDL once, no physical one");
            for (int i = 0; i < ddls.size(); i++) {
                assertEquals(ddls.get(i).ddlLog().cts(), ddlTxs.get(i).cts(), "cts of " + ddlTxs.get(i).ddl());
            }

            int alterAt = txs.indexOf(ddlTxs.get(2));
            Set<Long> idsBefore = new HashSet<>();
            Set<Long> idsAfter = new HashSet<>();
            Set<Long> customerIds = new HashSet<>();
            for (int i = 0; i < txs.size(); i++) {
                for (Change change : txs.get(i).changes()) {
                    if (change.table().equals("shop.customers")) {
                        customerIds.add(change.tableId());
                        continue;
                    }
                    assertEquals("shop.orders", change.table());
                    Object[] image = change.after() != null ? change.after() : change.before();
                    boolean before = i < alterAt;
                    int at = i;
                    assertEquals(before ? 4 : 5, image.length, () -> "columns of an orders row in transaction "
                            + txs.get(at).gno() + (before ? " before" : " after") + " the ALTER");
                    (before ? idsBefore : idsAfter).add(change.tableId());
                }
            }
            assertEquals(1, idsBefore.size(), "one table id for shop.orders before the ALTER: " + idsBefore);
            assertEquals(1, idsAfter.size(), "one table id for shop.orders after the ALTER: " + idsAfter);
            assertNotEquals(idsBefore, idsAfter, "a new table id for the new version of shop.orders");
            assertEquals(1, customerIds.size(), "one table id for shop.customers: " + customerIds);
            assertFalse(idsBefore.containsAll(customerIds) || idsAfter.containsAll(customerIds));

            String orderColumns = "id, customer, amount, qty, note";
            assertEquals(ShopChecks.shardRows(shop, nodes, "orders_<n>", orderColumns),
                    ShopChecks.rows(replica, "shop.orders", orderColumns), "the replica's orders: the shards' union");
            List<String> customers = ShopChecks.shardRows(shop, nodes, "customers", "id, name");
            assertEquals(ShopWorkload.SHARDS, customers.size());
            assertEquals(customers, ShopChecks.rows(replica, "shop.customers", "id, name"));
        }
    }

    /** One customer per shard, in one distributed transaction over both nodes. */
    private static void addCustomers(Coordinator coordinator, ShopWorkload shop) throws Exception {
        try (CoordinatorSession session = coordinator.openSession();
             Transaction t = session.begin(coordinator.nodeIds())) {
            for (int shard = 0; shard < ShopWorkload.SHARDS; shard++) {
                t.update(shop.nodeOf(shard), "customer." + shard, "INSERT INTO " + ShopWorkload.schema(shard)
                        + ".customers VALUES (?, ?)", shard, "name-" + shard);
            }
            t.commit();
        }
    }
}
