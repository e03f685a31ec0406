package io.gbinlog.integration.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LocalClusterTest {

    @Test
    void startsConfiguredNodesThatSurviveRestartAndKill() throws Exception {
        Path dir;
        List<Long> pids;
        try (LocalCluster cluster = LocalCluster.start(3)) {
            dir = cluster.directory();
            assertEquals(List.of("dn0", "dn1", "dn2"), cluster.nodeIds());
            Set<Integer> ports = new HashSet<>();
            Set<String> serverIds = new HashSet<>();
            Set<String> domainIds = new HashSet<>();
            for (DataNode node : cluster.nodes()) {
                ports.add(node.port());
                try (Connection c = node.connect(); Statement s = c.createStatement()) {
                    assertEquals("1", variable(s, "log_bin"));
                    assertEquals("ROW", variable(s, "binlog_format"));
                    assertEquals("FULL", variable(s, "binlog_row_image"));
                    assertEquals("1", variable(s, "binlog_annotate_row_events"));
                    serverIds.add(variable(s, "server_id"));
                    domainIds.add(variable(s, "gtid_domain_id"));
                    assertEquals(Integer.toString(node.serverId()), variable(s, "server_id"));
                    // The protocol tables exist, empty, with the contract's columns.
                    s.executeUpdate("INSERT INTO __gbinlog.commit_log VALUES ('g', 1, 'dn0,dn1')");
                    s.executeUpdate("INSERT INTO __gbinlog.ddl_log VALUES (1, 'db', 'CREATE TABLE t (a INT)')");
                }
                assertFalse(node.binlogFiles().isEmpty(), "binlog files of " + node.id());
                assertTrue(Files.isRegularFile(node.binlogFiles().get(0)));
                assertTrue(node.binlogFiles().get(0).startsWith(node.binlogDir()));
            }
            assertEquals(3, ports.size());
            assertEquals(3, serverIds.size());
            assertEquals(3, domainIds.size());
            assertFalse(domainIds.contains("0"));

            DataNode dn1 = cluster.node("dn1");
            int port = dn1.port();
            long firstPid = dn1.pid();
            dn1.kill();
            assertFalse(dn1.isRunning());
            assertFalse(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false));
            dn1.start();
            assertEquals(port, dn1.port());
            assertNotEquals(firstPid, dn1.pid());
            dn1.restart();
            try (Connection c = dn1.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT cts FROM __gbinlog.commit_log WHERE gtrid = 'g'")) {
                assertTrue(rs.next(), "a row committed before kill -9 survives crash recovery");
            }
            pids = cluster.nodes().stream().map(DataNode::pid).toList();
        }
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "server " + pid + " stopped");
        }
        assertFalse(Files.exists(dir), "cluster directory deleted");
    }

    @Test
    void aServerThatCannotStartIsReportedWithItsErrorLog() {
        IllegalStateException failure = assertThrows(IllegalStateException.class,
                () -> LocalCluster.builder().nodes(2).serverOption("--no-such-option=1").start());
        assertTrue(failure.getMessage().contains("exited with code"), failure::getMessage);
        assertTrue(failure.getMessage().contains("unknown variable 'no-such-option=1'"), failure::getMessage);
    }

    private static String variable(Statement s, String name) throws SQLException {
        try (ResultSet rs = s.executeQuery("SELECT @@GLOBAL." + name)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
