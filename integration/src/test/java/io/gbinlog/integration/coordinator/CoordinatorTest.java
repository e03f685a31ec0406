package io.gbinlog.integration.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.integration.testing.Await;
import io.gbinlog.integration.testing.TestTso;
import io.gbinlog.meta.tso.JdbcTsoClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class CoordinatorTest {

    @Test
    void localTransactionsNeedNoTsoAndAFailedTsoAbortsDistributedOnes() throws Exception {
        int deadPort;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            deadPort = probe.getLocalPort(); // nothing listens here once the probe is closed
        }
        try (LocalCluster cluster = LocalCluster.start(2)) {
            Coordinator coordinator = Coordinator.builder().nodes(cluster.nodes())
                    .tso(JdbcTsoClient.factory("127.0.0.1", deadPort, "nobody", "none")).build();
            for (DataNode node : cluster.nodes()) {
                try (Connection c = node.connect(); Statement s = c.createStatement()) {
                    s.execute("CREATE DATABASE coordtest");
                    s.execute("CREATE TABLE coordtest.t (id INT PRIMARY KEY)");
                }
            }
            try (CoordinatorSession session = coordinator.openSession()) {
                Transaction local = session.begin("dn1");
                assertFalse(local.isDistributed());
                local.update("dn1", "local.1", "INSERT INTO coordtest.t VALUES (1)");
                CommitResult committed = local.commit();
                assertNull(committed.gtrid());
                assertEquals(0, committed.cts());

                Transaction distributed = session.begin("dn0", "dn1");
                distributed.update("dn0", null, "INSERT INTO coordtest.t VALUES (2)");
                distributed.update("dn1", null, "INSERT INTO coordtest.t VALUES (2)");
                TransactionAbortedException aborted = assertThrows(TransactionAbortedException.class,
                        distributed::commit);
                assertTrue(aborted.getMessage().contains("no commit timestamp"), aborted::getMessage);
            }
            assertEquals(0, count(cluster.node("dn0")));
            assertEquals(1, count(cluster.node("dn1")));
            try (Connection c = cluster.node("dn0").connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("XA RECOVER")) {
                assertFalse(rs.next(), "the aborted transaction left nothing prepared");
            }
        }
    }

    @Test
    void badStatementIdsAndUnknownNodesAreNamed() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(1)) {
            Coordinator coordinator = Coordinator.builder().nodes(cluster.nodes())
                    .tso(() -> {
                        throw new AssertionError("a single-node transaction takes no timestamp");
                    }).build();
            try (CoordinatorSession session = coordinator.openSession()) {
                IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                        () -> session.begin("dn7"));
                assertTrue(unknown.getMessage().contains("dn7"), unknown::getMessage);
                Transaction t = session.begin("dn0");
                IllegalArgumentException badId = assertThrows(IllegalArgumentException.class,
                        () -> t.update("dn0", "no spaces", "SELECT 1"));
                assertTrue(badId.getMessage().contains("sql_id"), badId::getMessage);
                t.rollback();
            }
        }
    }

    @Test
    void aDdlWaitsForTheTransactionsInFlightThenRunsByTheProtocol() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(2); TestTso tso = TestTso.start()) {
            Coordinator coordinator = Coordinator.builder().nodes(cluster.nodes()).tso(tso.clients()).build();
            coordinator.ddl("", "CREATE DATABASE coordtest");
            coordinator.ddl("coordtest", "CREATE TABLE t (id INT PRIMARY KEY)");
            DdlResult altered;
            try (CoordinatorSession session = coordinator.openSession()) {
                Transaction open = session.begin("dn0", "dn1");
                open.update("dn0", null, "INSERT INTO coordtest.t VALUES (1)");
                AtomicReference<Thread> ddlThread = new AtomicReference<>();
                CompletableFuture<DdlResult> ddl = CompletableFuture.supplyAsync(() -> {
                    ddlThread.set(Thread.currentThread());
                    try {
                        return coordinator.ddl("coordtest", "ALTER TABLE t ADD COLUMN c INT");
                    } catch (SQLException e) {
                        throw new IllegalStateException(e);
                    }
                });
                Await.until("the DDL waits at the barrier", Duration.ofSeconds(30), () -> ddlThread.get() != null
                        && ddlThread.get().getState() == Thread.State.TIMED_WAITING);
                assertFalse(ddl.isDone(), "no DDL while a transaction is in flight");
                assertEquals(2, ddlLogRows(cluster.node("dn0")), "only the two DDLs before it");
                open.update("dn1", null, "INSERT INTO coordtest.t VALUES (2)");
                open.commit();
                altered = ddl.get(60, TimeUnit.SECONDS);
            }
            assertTrue(altered.ddlLog().isDistributed());
            for (DataNode node : cluster.nodes()) {
                try (Connection c = node.connect(); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT schema_name, ddl FROM __gbinlog.ddl_log WHERE id = "
                             + altered.ddlId())) {
                    assertTrue(rs.next(), node.id() + " has the ddl_log row");
                    assertEquals("coordtest", rs.getString(1));
                    assertEquals("ALTER TABLE t ADD COLUMN c INT", rs.getString(2));
                }
                try (Connection c = node.connect(); Statement s = c.createStatement();
                     ResultSet rs = s.executeQuery("SELECT c FROM coordtest.t")) {
                    assertTrue(rs.next(), node.id() + " has the new column");
                }
            }

            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> coordinator.ddl(
                    "coordtest", "DROP TABLE t", Map.of("dn9", List.of("DROP TABLE coordtest.t"))));
            assertTrue(unknown.getMessage().contains("dn9"), unknown::getMessage);
            SQLException failed = assertThrows(SQLException.class, () -> coordinator.ddl("coordtest",
                    "ALTER TABLE t ADD COLUMN c INT", Map.of("dn1", List.of("ALTER TABLE coordtest.t ADD COLUMN c INT"))));
            assertTrue(failed.getMessage().contains("failed on dn1") && failed.getMessage().contains("not recorded"),
                    failed::getMessage);
            assertEquals(3, ddlLogRows(cluster.node("dn1")), "a DDL that failed on its node records nothing");
        }
    }

    private static int ddlLogRows(DataNode node) throws SQLException {
        try (Connection c = node.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM __gbinlog.ddl_log")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static int count(DataNode node) throws SQLException {
        try (Connection c = node.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM coordtest.t")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
