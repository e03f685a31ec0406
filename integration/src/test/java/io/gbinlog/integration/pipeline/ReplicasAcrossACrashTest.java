package io.gbinlog.integration.pipeline;

import io.gbinlog.integration.testing.ReplicaStatus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.shyiko.mysql.binlog.BinaryLogClient;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.GtidEventData;
import com.github.shyiko.mysql.binlog.event.QueryEventData;
import io.gbinlog.meta.tso.JdbcTsoClient;
import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.integration.coordinator.Coordinator;
import io.gbinlog.integration.testing.ChildJvm;
import io.gbinlog.integration.testing.TestTso;
import io.gbinlog.integration.workload.BankWorkload;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gbinlog (pipeline and dumper in their own JVM, as {@code run} runs them) killed with SIGKILL while the bank
 * workload runs and started again on the same dumper port. Two followers ride through it on their own: a MariaDB
 * replica (file and position, MASTER_CONNECT_RETRY=1), which ends without error holding the data nodes' accounts,
 * and a mysql-binlog-connector-java client following by GTID set, which reconnects with the GTIDs it has and
 * receives every transaction of the global binlog exactly once, in GTID order.
 */
class ReplicasAcrossACrashTest {

    /** Transactions the workload commits before the kill, while gbinlog is down, and after its restart. */
    private static final int PHASE = 250;
    /** The connector logs every connect at INFO through java.util.logging; held here, a logger's level would be lost. */
    private static final Logger CONNECTOR_LOG = Logger.getLogger("com.github.shyiko.mysql.binlog");

    static {
        CONNECTOR_LOG.setLevel(Level.WARNING);
    }

    @TempDir
    Path tmp;

    @Test
    void replicaAndGtidClientFollowThroughAKilledAndRestartedGbinlog() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(4); TestTso tso = TestTso.start();
             JdbcTsoClient clock = new JdbcTsoClient(TestTso.HOST, tso.port(), TestTso.USER, TestTso.PASSWORD)) {
            List<DataNode> nodes = cluster.nodes().subList(0, 3);
            DataNode replica = cluster.node(3);
            Coordinator coordinator = Coordinator.builder().nodes(nodes).tso(tso.clients()).lockWaitTimeoutSeconds(1)
                    .build();
            BankWorkload bank = BankWorkload.builder(coordinator).threads(4).accountsPerNode(200)
                    .recordHistory(false).build();
            System.out.println("ReplicasAcrossACrashTest seed=" + bank.seed() + " (rerun with -Dgbinlog.seed="
                    + bank.seed() + ")");
            bank.setup();
            Replay.copyTable(nodes, replica, "bank", "account", tmp);
            int port = freePort();
            Path config = writeConfig(nodes, tso, tmp.resolve("storage"), port);

            ChildJvm child = ChildJvm.start(PipelineProcessMain.class, config.toString());
            GtidFollower follower = new GtidFollower(port);
            try (Connection c = replica.connect(); Statement s = c.createStatement()) {
                child.awaitLine("started", 60);
                s.execute("CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=" + port + ", MASTER_USER='repl',"
                        + " MASTER_PASSWORD='secret', MASTER_LOG_FILE='binlog.000001', MASTER_LOG_POS=4,"
                        + " MASTER_USE_GTID=no, MASTER_HEARTBEAT_PERIOD=1, MASTER_CONNECT_RETRY=1");
                s.execute("START SLAVE");
                follower.start();
                bank.start();
                try {
                    awaitCommits(bank, s, follower);
                    await("the replica applies transactions before the crash", s, follower,
                            () -> ReplicaStatus.executedPosition(s) > 4);
                    child.kill();
                    awaitCommits(bank, s, follower);
                    child = ChildJvm.start(PipelineProcessMain.class, config.toString());
                    child.awaitLine("started", 60);
                    awaitCommits(bank, s, follower);
                } finally {
                    bank.stop();
                }
                long end = clock.next();
                awaitDurable(child, end);

                ReplicaStatus.Source source = ReplicaStatus.source(port, "repl", "secret");
                await("the replica reaches the dumper's " + source.file() + ":" + source.position(), s, follower,
                        () -> source.file().equals(ReplicaStatus.of(s).get("Relay_Master_Log_File"))
                                && Long.toString(source.position()).equals(ReplicaStatus.of(s).get("Exec_Master_Log_Pos")));
                Map<String, String> status = ReplicaStatus.of(s);
                assertEquals("Yes", status.get("Slave_IO_Running"), status::toString);
                assertEquals("Yes", status.get("Slave_SQL_Running"), status::toString);
                assertEquals("", status.get("Last_Error"), status::toString);
                assertEquals("", status.get("Last_IO_Error"), status::toString);
                assertEquals(BankChecks.rows(nodes), BankChecks.rows(List.of(replica)),
                        "the replica's accounts are the union of the data nodes' accounts");

                long lastGno = Long.parseLong(source.executedGtidSet().substring(source.executedGtidSet().lastIndexOf('-') + 1));
                await("the GTID client receives GTID " + lastGno, s, follower, () -> follower.lastGno() >= lastGno);
                assertEquals(LongStream.rangeClosed(1, lastGno).boxed().toList(), follower.committedGnos(),
                        "the GTID client got every transaction once, in order, across the crash");
                assertTrue(follower.connects() >= 2, "the GTID client reconnected after the crash");
                System.out.println("ReplicasAcrossACrashTest: " + bank.progress() + "; both followers reached GTID "
                        + lastGno + " at " + source.file() + ":" + source.position());
                s.execute("STOP SLAVE");
                child.terminate();
                assertEquals(0, child.waitFor(60), "closed cleanly on SIGTERM");
            } finally {
                follower.close();
                child.close();
                bank.stop();
            }
        }
    }

    /**
     * A CDC client as such tools run it: a BinaryLogClient whose GTID set advances with each commit, connected again
     * whenever the connection ends. A transaction counts once its XID (or its DDL query) arrived.
     */
    private static final class GtidFollower implements AutoCloseable {
        private final BinaryLogClient client;
        private final Thread thread;
        private final List<Long> committed = new ArrayList<>();
        private final AtomicReference<Throwable> failure = new AtomicReference<>();
        private volatile boolean closed;
        private volatile int connects;
        private long pending;

        GtidFollower(int port) {
            client = new BinaryLogClient("127.0.0.1", port, "repl", "secret");
            client.setServerId(9001);
            client.setKeepAlive(false); // reconnection is this follower's loop, as in a CDC tool's task restart
            client.setHeartbeatInterval(1000);
            client.setGtidSet("");
            client.registerLifecycleListener(new BinaryLogClient.AbstractLifecycleListener() {
                @Override
                public void onConnect(BinaryLogClient c) {
                    connects++;
                }
            });
            client.registerEventListener(event -> {
                EventType type = event.getHeader().getEventType();
                if (type == EventType.GTID) {
                    pending = ((GtidEventData) event.getData()).getMySqlGtid().getTransactionId();
                } else if (type == EventType.XID || (type == EventType.QUERY
                        && !"BEGIN".equals(((QueryEventData) event.getData()).getSql()))) {
                    synchronized (committed) {
                        committed.add(pending);
                    }
                }
            });
            thread = new Thread(this::follow, "gtid-follower");
        }

        void start() {
            thread.start();
        }

        private void follow() {
            while (!closed) {
                try {
                    client.connect(); // returns when the connection ends
                } catch (Exception e) {
                    if (!(e.getCause() instanceof ConnectException)) { // refused while gbinlog is down: retry
                        failure.compareAndSet(null, e);
                    }
                }
                try {
                    Thread.sleep(100); // retry interval, like MASTER_CONNECT_RETRY
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        long lastGno() {
            synchronized (committed) {
                return committed.isEmpty() ? 0 : committed.get(committed.size() - 1);
            }
        }

        List<Long> committedGnos() {
            synchronized (committed) {
                return List.copyOf(committed);
            }
        }

        int connects() {
            return connects;
        }

        void check() {
            Throwable f = failure.get();
            if (f != null) {
                throw new AssertionError("the GTID client failed: " + f, f);
            }
        }

        @Override
        public void close() throws Exception {
            closed = true;
            client.disconnect();
            thread.interrupt();
            thread.join(10_000);
        }
    }

    private static Path writeConfig(List<DataNode> nodes, TestTso tso, Path storage, int dumperPort)
            throws Exception {
        StringBuilder yaml = new StringBuilder("dataNodes:\n");
        for (DataNode dn : nodes) {
            yaml.append("  - {id: ").append(dn.id()).append(", host: ").append(dn.host()).append(", port: ")
                    .append(dn.port()).append(", user: ").append(dn.user()).append(", password: ")
                    .append(dn.password()).append("}\n");
        }
        yaml.append("tso: {address: ").append(TestTso.HOST).append(':').append(tso.port()).append(", user: ")
                .append(TestTso.USER).append(", password: ").append(TestTso.PASSWORD).append("}\n");
        yaml.append("dumper: {listen: 127.0.0.1:").append(dumperPort).append("}\n");
        yaml.append("users: [{name: repl, password: secret}]\n");
        yaml.append("storage: {dir: ").append(storage).append("}\n");
        yaml.append("collector: {probeIntervalMs: 20}\n");
        yaml.append("binlog: {maxFileSize: 128K, fsync: batch, checkpointIntervalMs: 100}\n");
        return Files.writeString(storage.resolveSibling("gbinlog.yaml"), yaml);
    }

    private static void awaitCommits(BankWorkload bank, Statement s, GtidFollower follower) throws Exception {
        long target = bank.progress().committed() + PHASE;
        await(PHASE + " more commits of the workload", s, follower, () -> bank.progress().committed() >= target);
    }

    private static void awaitDurable(ChildJvm child, long tso) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (Long.parseLong(child.awaitLine("durable ", 60)) < tso) {
            assertTrue(System.nanoTime() < deadline, "the pipeline did not catch up with TSO " + tso);
        }
    }




    /**
     * Polls {@code condition} for up to 120 s. The replica's SQL errors and the GTID client's failures end it at
     * once; the replica's IO errors do not, since it loses its source on purpose while gbinlog is down.
     */
    private static void await(String what, Statement s, GtidFollower follower, BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!condition.getAsBoolean()) {
            Map<String, String> status = ReplicaStatus.of(s);
            assertEquals("0", status.get("Last_SQL_Errno"), () -> what + ": the replica failed: " + status);
            follower.check();
            assertTrue(System.nanoTime() < deadline, () -> what + ": not within 120 s: " + status);
            Thread.sleep(50); // poll interval; the condition, not the pause, ends the wait
        }
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }
}
