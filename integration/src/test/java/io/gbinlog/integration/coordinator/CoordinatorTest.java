package io.gbinlog.integration.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.meta.tso.JdbcTsoClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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

    private static int count(DataNode node) throws SQLException {
        try (Connection c = node.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM coordtest.t")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
