package io.gbinlog.integration.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.integration.coordinator.Coordinator;
import io.gbinlog.integration.coordinator.DdlResult;
import io.gbinlog.integration.pipeline.GlobalBinlogContent.Change;
import io.gbinlog.integration.pipeline.GlobalBinlogContent.Tx;
import io.gbinlog.integration.testing.Await;
import io.gbinlog.integration.testing.TestTso;
import io.gbinlog.integration.workload.BankWorkload;
import io.gbinlog.meta.tso.JdbcTsoClient;
import io.gbinlog.merger.pipeline.Pipeline;
import io.gbinlog.merger.pipeline.PipelineStats;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Logical DDL by the protocol (design §2) while the bank workload writes through the same coordinator: the global
 * binlog has each logical DDL once, at the cts of its ddl_log transaction, with the account rows before it in the old
 * shape and after it in the new one; the physical DDLs never appear, and a DDL run by hand on one data node is
 * reported, not written. Replayed into a fresh MariaDB with {@code mariadb-binlog | mariadb}, the DDLs apply where they
 * stand and the accounts come out as on the data nodes.
 */
class LogicalDdlTest {

    private static final String CREATE = "CREATE TABLE audit (id BIGINT PRIMARY KEY, note VARCHAR(20))";
    private static final String ALTER = "ALTER TABLE account ADD COLUMN tag VARCHAR(16) NULL";
    private static final int OLD_COLUMNS = 6;
    private static final String CTS_MARKER = "^/\\* gbinlog cts=[^*]* \\*/ ";

    @TempDir
    Path tmp;

    @Test
    void logicalDdlsComeOutOnceAtTheirCtsWhileTheWorkloadRuns() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(4); TestTso tso = TestTso.start();
             JdbcTsoClient clock = new JdbcTsoClient(TestTso.HOST, tso.port(), TestTso.USER, TestTso.PASSWORD)) {
            List<DataNode> nodes = cluster.nodes().subList(0, 3);
            DataNode replica = cluster.node(3);
            Coordinator coordinator = Coordinator.builder().nodes(nodes).tso(tso.clients()).lockWaitTimeoutSeconds(1)
                    .build();
            BankWorkload bank = BankWorkload.builder(coordinator).threads(4).accountsPerNode(100).build();
            System.out.println("LogicalDdlTest seed=" + bank.seed() + " (rerun with -Dgbinlog.seed=" + bank.seed() + ")");
            bank.setup(); // before the first start: part of the snapshot, no DDL in the global binlog
            Map<Long, Long> initial = BankChecks.balances(nodes);
            Replay.copyTable(nodes, replica, "bank", "account", tmp);

            Path storage = tmp.resolve("storage");
            PipelineStats stats;
            DdlResult created;
            DdlResult altered;
            try (Pipeline pipeline = Pipeline.start(PipelineTesting.settings(nodes, storage, tso))) {
                bank.start();
                try {
                    awaitMoreCommits(bank, 100);
                    created = coordinator.ddl("bank", CREATE);
                    awaitMoreCommits(bank, 100);
                    altered = coordinator.ddl("bank", ALTER);
                    awaitMoreCommits(bank, 100);
                    try (Connection c = nodes.get(1).connect(); Statement s = c.createStatement()) {
                        s.execute("CREATE TABLE bank.side (id INT PRIMARY KEY)"); // by hand, outside the protocol
                    }
                    awaitMoreCommits(bank, 50);
                } finally {
                    bank.stop();
                }
                assertTrue(pipeline.awaitDurable(clock.next(), Duration.ofSeconds(60)), "caught up");
                stats = pipeline.stats();
                assertNull(pipeline.failure());
            }
            System.out.println("LogicalDdlTest: " + bank.progress() + "; pipeline wrote " + stats.transactions()
                    + " transactions");

            String physical = "/* gbinlog ddl_id=" + altered.ddlId() + " */ " + ALTER;
            assertTrue(queryTexts(nodes.get(0)).stream().anyMatch(text -> text.endsWith(physical)),
                    "the data node logs the physical DDL with the marker in front: " + physical);

            List<Tx> txs = GlobalBinlogContent.read(storage.resolve("binlog"));
            BankChecks.check(txs, bank.history(), initial, bank.expectedTotal());
            List<Tx> ddls = txs.stream().filter(t -> t.ddl() != null).toList();
            List<String> statements = ddls.stream().map(t -> t.ddl().replaceFirst(CTS_MARKER, "")).toList();
            assertEquals(List.of(CREATE, ALTER), statements,
                    "each logical DDL once, the physical ones and the one by hand not at all");
            assertDdlAt(ddls.get(0), created);
            assertDdlAt(ddls.get(1), altered);
            assertEquals(1, stats.ddlsOutsideProtocol(), "the DDL by hand is reported");

            int alterAt = txs.indexOf(ddls.get(1));
            int before = 0;
            int after = 0;
            for (int i = 0; i < txs.size(); i++) {
                for (Change change : txs.get(i).changes()) {
                    Object[] image = change.after() != null ? change.after() : change.before();
                    int expected = i < alterAt ? OLD_COLUMNS : OLD_COLUMNS + 1;
                    int at = i;
                    assertEquals(expected, image.length, () -> "columns of a " + change.table() + " row in transaction "
                            + txs.get(at).gno() + (at < alterAt ? " before" : " after") + " the ALTER");
                    if (i < alterAt) {
                        before++;
                    } else {
                        after++;
                    }
                }
            }
            assertTrue(before > 0 && after > 0, "rows on both sides of the ALTER: " + before + ", " + after);

            Replay.apply(GlobalBinlogContent.files(storage.resolve("binlog")), replica, tmp);
            assertEquals(BankChecks.rows(nodes), BankChecks.rows(List.of(replica)),
                    "the replayed accounts are the union of the data nodes' accounts");
            try (Connection c = replica.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT COUNT(tag) FROM bank.account UNION ALL SELECT COUNT(*)"
                         + " FROM bank.audit")) {
                assertTrue(rs.next(), "the replica has the new column and the new table");
            }
        }
    }

    @Test
    void onOneDataNodeTheDdlLogTransactionIsLocal() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(1); TestTso tso = TestTso.start();
             JdbcTsoClient clock = new JdbcTsoClient(TestTso.HOST, tso.port(), TestTso.USER, TestTso.PASSWORD)) {
            Coordinator coordinator = Coordinator.builder().nodes(cluster.nodes()).tso(tso.clients()).build();
            Path storage = tmp.resolve("storage");
            try (Pipeline pipeline = Pipeline.start(PipelineTesting.settings(cluster.nodes(), storage, tso))) {
                DdlResult database = coordinator.ddl("", "CREATE DATABASE app");
                DdlResult table = coordinator.ddl("app", "CREATE TABLE t (id INT PRIMARY KEY)");
                assertFalse(database.ddlLog().isDistributed() || table.ddlLog().isDistributed());
                assertTrue(pipeline.awaitDurable(clock.next(), Duration.ofSeconds(60)), "caught up");
                assertEquals(0, pipeline.stats().ddlsOutsideProtocol());
            }
            List<Tx> txs = GlobalBinlogContent.read(storage.resolve("binlog"));
            assertEquals(List.of("CREATE DATABASE app", "CREATE TABLE t (id INT PRIMARY KEY)"),
                    txs.stream().map(t -> t.ddl().replaceFirst(CTS_MARKER, "")).toList());
            assertEquals(List.of("dn0", "dn0"), txs.stream().map(Tx::localDataNode).toList());
        }
    }

    /** The DDL is a transaction of its own at the cts of the ddl_log transaction, with the ddl_log gtrid as origin. */
    private static void assertDdlAt(Tx tx, DdlResult ddl) {
        assertTrue(ddl.ddlLog().isDistributed(), "three data nodes: the ddl_log transaction is distributed");
        assertEquals(ddl.ddlLog().cts(), tx.cts(), () -> "cts of " + tx);
        assertTrue(tx.isDistributed(), tx::origin);
        assertTrue(ddl.ddlId() < tx.cts(), "ddl_id is a TSO taken before the ddl_log transaction's cts");
        assertTrue(tx.changes().isEmpty() && tx.tables().isEmpty(), tx::toString);
        assertFalse(tx.ddl().contains("gbinlog ddl_id"), tx::ddl);
    }

    /** The text of every QUERY event in the data node's binlog, as SHOW BINLOG EVENTS gives it. */
    private static List<String> queryTexts(DataNode dn) throws SQLException {
        List<String> texts = new ArrayList<>();
        try (Connection c = dn.connect(); Statement s = c.createStatement()) {
            List<String> files = new ArrayList<>();
            try (ResultSet logs = s.executeQuery("SHOW BINARY LOGS")) {
                while (logs.next()) {
                    files.add(logs.getString(1));
                }
            }
            for (String file : files) {
                try (ResultSet events = s.executeQuery("SHOW BINLOG EVENTS IN '" + file + "'")) {
                    while (events.next()) {
                        if (events.getString("Event_type").equals("Query")) {
                            texts.add(events.getString("Info"));
                        }
                    }
                }
            }
        }
        return texts;
    }

    private static void awaitMoreCommits(BankWorkload bank, long more) {
        long target = bank.progress().committed() + more;
        Await.until(more + " more committed bank transactions", Duration.ofSeconds(60),
                () -> bank.progress().committed() >= target);
    }
}
