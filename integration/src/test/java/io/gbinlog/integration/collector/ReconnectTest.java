package io.gbinlog.integration.collector;

import static io.gbinlog.integration.collector.CollectorTesting.config;
import static io.gbinlog.integration.collector.CollectorTesting.sql;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.collector.capture.BinlogCoordinates;
import io.gbinlog.collector.node.DataNodes;
import io.gbinlog.meta.tso.JdbcTsoClient;
import io.gbinlog.collector.source.BinlogFileCollector;
import io.gbinlog.collector.source.ReplicaCollector;
import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.integration.collector.Input.Kind;
import io.gbinlog.integration.testing.Await;
import io.gbinlog.integration.testing.TestTso;
import io.gbinlog.meta.config.GbinlogConfig;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Replica connections cut at random byte offsets of the stream (through a proxy), killed on the data node, and
 * a data node restarted, all under write load: what the collectors delivered equals, input for input and byte
 * for byte, a clean read of the binlog files afterwards. Nothing lost, nothing delivered twice.
 */
class ReconnectTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @Test
    void cutsKillsAndRestartsLoseAndRepeatNothing() throws Exception {
        long seed = Long.getLong("gbinlog.seed", System.nanoTime());
        System.out.println("ReconnectTest seed=" + seed + " (rerun with -Dgbinlog.seed=" + seed + ")");
        Random random = new Random(seed);
        try (LocalCluster cluster = LocalCluster.start(2); TestTso tso = TestTso.start();
             JdbcTsoClient clock = new JdbcTsoClient(TestTso.HOST, tso.port(), TestTso.USER, TestTso.PASSWORD)) {
            DataNode dn0 = cluster.node("dn0");
            DataNode dn1 = cluster.node("dn1");
            BinlogCoordinates[] starts = new BinlogCoordinates[2];
            for (DataNode dn : List.of(dn0, dn1)) {
                try (Connection c = dn.connect()) {
                    sql(c, "CREATE DATABASE app", LoadWriter.TABLE_SQL);
                    starts[dn == dn0 ? 0 : 1] = DataNodes.masterStatus(c, config(dn));
                }
            }
            Recorder recorder = new Recorder(true);
            try (CuttingProxy proxy = new CuttingProxy(dn0.host(), dn0.port());
                 ReplicaCollector c0 = collector(new GbinlogConfig.DataNode("dn0", dn0.host(), proxy.port(), dn0.user(),
                         dn0.password()), 0, starts[0], recorder, tso);
                 ReplicaCollector c1 = collector(config(dn1), 1, starts[1], recorder, tso);
                 LoadWriter w0 = new LoadWriter(dn0, random.nextLong());
                 LoadWriter w1 = new LoadWriter(dn1, random.nextLong())) {
                for (int cut = 1; cut <= 5; cut++) {
                    awaitProgress(recorder, 0, 5);
                    proxy.cutAfter(1 + random.nextInt(300_000));
                    int expected = cut;
                    Await.until("cut " + cut, TIMEOUT, () -> proxy.cuts() >= expected);
                }
                awaitProgress(recorder, 1, 5);
                assertEquals(1, CollectorTesting.killDumpThreads(dn1));
                awaitProgress(recorder, 1, 5);
                dn1.restart();
                awaitProgress(recorder, 1, 5);
                CollectorTesting.killDumpThreads(dn1);
                awaitProgress(recorder, 0, 5);
                awaitProgress(recorder, 1, 5);
                w0.stop();
                w1.stop();
                System.out.println("ReconnectTest: transactions written " + w0.committed() + " + " + w1.committed()
                        + ", reconnects " + c0.reconnects() + " + " + c1.reconnects() + ", proxy cuts " + proxy.cuts());

                long drained = clock.next();
                for (int k = 0; k < 2; k++) {
                    int stream = k;
                    recorder.await(in -> in.stream().anyMatch(i -> i.stream() == stream && i.kind() == Kind.PROBE
                            && i.tso() > drained), TIMEOUT, "stream " + k + " read to its end");
                }
                assertNull(c0.failure());
                assertNull(c1.failure());
                assertTrue(c0.reconnects() >= 5, "reconnects of dn0: " + c0.reconnects());
                assertTrue(c1.reconnects() >= 3, "reconnects of dn1: " + c1.reconnects());
            }
            for (DataNode dn : List.of(dn0, dn1)) {
                int stream = dn == dn0 ? 0 : 1;
                Recorder files = new Recorder(false);
                BinlogFileCollector.read(dn.binlogFiles(), starts[stream], stream, dn.id(), files);
                List<Input> live = recorder.inputs(stream).stream().filter(i -> i.kind() != Kind.PROBE).toList();
                List<Input> truth = files.inputs();
                for (int i = 0; i < Math.min(live.size(), truth.size()); i++) {
                    assertTrue(live.get(i).sameAs(truth.get(i)), dn.id() + " input " + i + ": live " + live.get(i)
                            + " but the binlog files have " + truth.get(i));
                }
                assertEquals(truth.size(), live.size(), dn.id() + ": inputs delivered");
                assertTrue(truth.size() > 50, dn.id() + ": inputs " + truth.size());
                long previous = 0;
                for (Input probe : recorder.inputs(stream)) {
                    if (probe.kind() == Kind.PROBE) {
                        assertTrue(probe.tso() > previous, "probe values increase");
                        previous = probe.tso();
                    }
                }
            }
        }
    }

    private static ReplicaCollector collector(GbinlogConfig.DataNode dn, int stream, BinlogCoordinates start,
                                              Recorder recorder, TestTso tso) throws Exception {
        return ReplicaCollector.builder(dn, stream, recorder).startAt(start)
                .probe(new JdbcTsoClient(TestTso.HOST, tso.port(), TestTso.USER, TestTso.PASSWORD), Duration.ofMillis(20))
                .readTimeout(Duration.ofSeconds(5)).reconnectBackoff(Duration.ofMillis(20), Duration.ofMillis(500))
                .start();
    }

    /** Waits until stream {@code k} delivered {@code n} more transactions than now. */
    private static void awaitProgress(Recorder recorder, int k, int n) throws InterruptedException {
        long now = count(recorder.inputs(k));
        recorder.await(in -> count(in.stream().filter(i -> i.stream() == k).toList()) >= now + n, TIMEOUT,
                n + " more inputs on stream " + k);
    }

    private static long count(List<Input> inputs) {
        return inputs.stream().filter(i -> i.kind() != Kind.PROBE).count();
    }
}
