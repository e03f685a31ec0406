package io.gbinlog.integration.collector;

import static io.gbinlog.integration.collector.CollectorTesting.config;
import static io.gbinlog.integration.collector.CollectorTesting.configs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.gbinlog.collector.node.NodeSettings;
import io.gbinlog.collector.node.SettingsCheck;
import io.gbinlog.meta.tso.JdbcTsoClient;
import io.gbinlog.collector.source.ReplicaCollector;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.integration.testing.TestTso;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** With no writes at all, probes alone move every stream's watermark, and so the global one. */
class IdleClusterTest {

    @Test
    void probesAdvanceTheGlobalWatermarkWithoutWrites() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3); TestTso tso = TestTso.start();
             JdbcTsoClient clock = new JdbcTsoClient(TestTso.HOST, tso.port(), TestTso.USER, TestTso.PASSWORD)) {
            List<NodeSettings> settings = SettingsCheck.checkCluster(configs(cluster.nodes()), 4_000_000_002L);
            MergerFeed feed = new MergerFeed(3);
            List<ReplicaCollector> collectors = new ArrayList<>();
            try {
                for (int k = 0; k < 3; k++) {
                    collectors.add(ReplicaCollector.builder(config(cluster.node(k)), k, feed)
                            .serverId(4_000_000_002L).identity(settings.get(k))
                            .probe(new JdbcTsoClient(TestTso.HOST, tso.port(), TestTso.USER, TestTso.PASSWORD),
                                    Duration.ofMillis(50))
                            .start());
                }
                for (int round = 0; round < 5; round++) {
                    feed.awaitWatermarkAbove(clock.next(), Duration.ofSeconds(10));
                }
                assertEquals(List.of(), feed.emitted());
                for (ReplicaCollector c : collectors) {
                    assertNull(c.failure());
                }
            } finally {
                collectors.forEach(ReplicaCollector::close);
            }
        }
    }
}
