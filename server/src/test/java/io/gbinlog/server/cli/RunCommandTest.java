package io.gbinlog.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.merger.checkpoint.Checkpoint;
import io.gbinlog.merger.checkpoint.CheckpointFile;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gbinlog run} as an operator runs it, in its own JVM against real data nodes: it writes the global binlog,
 * serves it on dumper.listen, and stops cleanly on SIGTERM; it refuses data nodes whose settings are wrong, naming them; it stops with exit
 * code 1 and the reason when a distributed transaction breaks the protocol.
 */
class RunCommandTest {

    private static LocalCluster cluster;

    @TempDir
    Path dir;

    private int dumperPort;

    @BeforeAll
    static void startDataNodes() throws SQLException {
        cluster = LocalCluster.start(2);
        for (DataNode dn : cluster.nodes()) {
            sql(dn, "CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY)");
        }
    }

    @AfterAll
    static void stopDataNodes() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void writesTheGlobalBinlogAndStopsCleanlyOnSigterm() throws Exception {
        Path storage = dir.resolve("data");
        Process run = start(writeConfig(storage));
        try {
            awaitStarted(run, storage);
            sql(cluster.node(0), "INSERT INTO app.t VALUES (1)");
            sql(cluster.node(1), "INSERT INTO app.t VALUES (1)", "INSERT INTO app.t VALUES (2)");
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (lastGno(storage) < 3) {
                assertTrue(run.isAlive(), () -> "gbinlog run ended: " + output(run));
                assertTrue(System.nanoTime() < deadline, () -> "the global binlog did not get the 3 inserts: " + output(run));
                Thread.sleep(50);
            }
            try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + dumperPort + "/",
                    "coordinator", "secret"); Statement s = c.createStatement();
                 ResultSet status = s.executeQuery("SHOW MASTER STATUS")) {
                assertTrue(status.next(), "the dumper answers SHOW MASTER STATUS");
                assertTrue(status.getString(1).startsWith("binlog.") && status.getLong(2) > 4,
                        "the dumper serves the global binlog: " + status.getString(1) + ":" + status.getLong(2));
            }
            while (!output(run).contains("txn/s")) {
                assertTrue(System.nanoTime() < deadline, () -> "no progress logged: " + output(run));
                Thread.sleep(50);
            }
            run.toHandle().destroy(); // SIGTERM
            assertTrue(run.waitFor(60, TimeUnit.SECONDS));
            String out = output(run);
            assertEquals(0, run.exitValue(), out);
            assertTrue(out.contains("(GTID 3)"), "progress names the last GTID: " + out);
            assertTrue(out.contains("stopped cleanly"), out);
        } finally {
            run.destroyForcibly().waitFor();
        }
    }

    @Test
    void refusesADataNodeWhoseSettingsAreWrongNamingIt() throws Exception {
        sql(cluster.node(1), "SET GLOBAL binlog_format = 'STATEMENT'");
        try {
            Process run = start(writeConfig(dir.resolve("data")));
            assertTrue(run.waitFor(60, TimeUnit.SECONDS));
            String out = output(run);
            assertEquals(2, run.exitValue(), out);
            assertTrue(out.contains("dn1") && out.contains("binlog_format is STATEMENT"), out);
        } finally {
            sql(cluster.node(1), "SET GLOBAL binlog_format = 'ROW'");
        }
    }

    @Test
    void stopsWithTheReasonWhenATransactionBreaksTheProtocol() throws Exception {
        Path storage = dir.resolve("data");
        Process run = start(writeConfig(storage));
        try (Connection c0 = cluster.node(0).connect(); Connection c1 = cluster.node(1).connect();
             Connection decision = cluster.node(0).connect()) {
            awaitStarted(run, storage);
            for (Connection c : List.of(c0, c1)) {
                String xid = "'liar','" + (c == c0 ? "dn0" : "dn1") + "'";
                exec(c, "XA START " + xid, "INSERT INTO app.t VALUES (10)", "XA END " + xid, "XA PREPARE " + xid);
            }
            long cts = (System.currentTimeMillis() + 500) << 22; // any coordinator's TSO would be later than the cut
            exec(decision, "INSERT INTO __gbinlog.commit_log VALUES ('liar', " + cts + ", 'dn0,dn1,dn2')");
            exec(c0, "XA COMMIT 'liar','dn0'");
            exec(c1, "XA COMMIT 'liar','dn1'");
            assertTrue(run.waitFor(60, TimeUnit.SECONDS), "gbinlog run stops");
            String out = output(run);
            assertEquals(1, run.exitValue(), out);
            assertTrue(out.contains("gbinlog: stopped: ") && out.contains("ProtocolViolationException")
                    && out.contains("'liar'"), out);
        } finally {
            run.destroyForcibly().waitFor();
        }
    }

    /** The first start's checkpoint exists once the cut is taken: what commits later is in the global binlog. */
    private void awaitStarted(Process run, Path storage) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (!Files.exists(storage.resolve(CheckpointFile.NAME))) {
            assertTrue(run.isAlive() && System.nanoTime() < deadline, () -> "not started: " + output(run));
            Thread.sleep(50);
        }
    }

    private Path writeConfig(Path storage) throws IOException {
        dumperPort = freePort();
        StringBuilder yaml = new StringBuilder("dataNodes:\n");
        for (DataNode dn : cluster.nodes()) {
            yaml.append("  - {id: ").append(dn.id()).append(", host: ").append(dn.host()).append(", port: ")
                    .append(dn.port()).append(", user: ").append(dn.user()).append(", password: ")
                    .append(dn.password()).append("}\n");
        }
        yaml.append("tso: {listen: 127.0.0.1:").append(freePort()).append("}\n");
        yaml.append("dumper: {listen: 127.0.0.1:").append(dumperPort).append("}\n");
        yaml.append("users: [{name: coordinator, password: secret}]\n");
        yaml.append("storage: {dir: ").append(storage).append("}\n");
        yaml.append("collector: {probeIntervalMs: 20}\n");
        yaml.append("binlog: {checkpointIntervalMs: 100}\n");
        return Files.writeString(dir.resolve("gbinlog.yaml"), yaml);
    }

    private Process start(Path config) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Dlogback.configurationFile=logback.xml",
                GbinlogCommand.class.getName(), "run", "--config", config.toString(), "--progress-seconds", "1"));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("run.log").toFile())
                .start();
    }

    private String output(Process run) {
        try {
            return Files.readString(dir.resolve("run.log"));
        } catch (IOException e) {
            return "(cannot read the output: " + e + ")";
        }
    }

    private static long lastGno(Path storage) throws IOException {
        try {
            Optional<Checkpoint> c = new CheckpointFile(storage).read();
            return c.map(checkpoint -> checkpoint.binlog().lastGno()).orElse(0L);
        } catch (IOException replacedWhileRead) {
            return 0;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static void sql(DataNode dn, String... statements) throws SQLException {
        try (Connection c = dn.connect()) {
            exec(c, statements);
        }
    }

    private static void exec(Connection c, String... statements) throws SQLException {
        try (Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }
}
