package io.gbinlog.integration.collector;

import static io.gbinlog.integration.collector.CollectorTesting.config;
import static io.gbinlog.integration.collector.CollectorTesting.configs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.collector.capture.EventGroup;
import io.gbinlog.collector.node.DataNodes;
import io.gbinlog.collector.node.NodeSettings;
import io.gbinlog.collector.node.SettingsCheck;
import io.gbinlog.collector.node.StartPositionFinder;
import io.gbinlog.collector.ordering.Gtrid;
import io.gbinlog.collector.ordering.SortKey;
import io.gbinlog.meta.tso.JdbcTsoClient;
import io.gbinlog.collector.source.ReplicaCollector;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.integration.coordinator.Coordinator;
import io.gbinlog.integration.testing.TestTso;
import io.gbinlog.integration.workload.BankWorkload;
import io.gbinlog.integration.workload.TxnRecord;
import io.gbinlog.integration.workload.TxnRecord.Outcome;
import io.gbinlog.merger.merge.GlobalTransaction;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Live collectors with probes on three data nodes feed the real TransactionMerger while the reference
 * coordinator runs a concurrent bank workload. Once the workload stopped and probes drained the streams, the
 * merger has emitted every committed transaction exactly once, whole, in key order, and nothing else.
 */
class EndToEndOrderingTest {

    private static final int TRANSACTIONS = 600;
    private static final long REPLICA_ID = 4_000_000_003L;
    private static final Pattern SQL_ID = Pattern.compile("/\\* sql_id=([A-Za-z0-9_.:-]{1,64}) \\*/");

    @Test
    void everyCommittedTransactionComesOutOnceWholeAndInOrder() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(3); TestTso tso = TestTso.start();
             JdbcTsoClient clock = new JdbcTsoClient(TestTso.HOST, tso.port(), TestTso.USER, TestTso.PASSWORD)) {
            Coordinator coordinator = Coordinator.builder().nodes(cluster.nodes()).tso(tso.clients())
                    .lockWaitTimeoutSeconds(1).build();
            BankWorkload bank = BankWorkload.builder(coordinator).threads(6).accountsPerNode(200).build();
            System.out.println("EndToEndOrderingTest seed=" + bank.seed() + " (rerun with -Dgbinlog.seed=" + bank.seed() + ")");
            bank.setup();

            List<NodeSettings> settings = SettingsCheck.checkCluster(configs(cluster.nodes()), REPLICA_ID);
            MergerFeed feed = new MergerFeed(3);
            List<ReplicaCollector> collectors = new ArrayList<>();
            try {
                for (int k = 0; k < 3; k++) {
                    try (Connection c = cluster.node(k).connect()) {
                        collectors.add(ReplicaCollector.builder(config(cluster.node(k)), k, feed)
                                .serverId(REPLICA_ID).identity(settings.get(k))
                                .startAt(StartPositionFinder.find(c, config(cluster.node(k)),
                                        DataNodes.masterStatus(c, config(cluster.node(k))), StartPositionFinder.xaRecover(c)))
                                .probe(new JdbcTsoClient(TestTso.HOST, tso.port(), TestTso.USER, TestTso.PASSWORD),
                                        Duration.ofMillis(20))
                                .start());
                    }
                }
                bank.start(TRANSACTIONS);
                assertTrue(bank.awaitTermination(Duration.ofMinutes(5)), "workload finished");
                System.out.println("EndToEndOrderingTest: " + bank.progress());
                feed.awaitWatermarkAbove(clock.next(), Duration.ofSeconds(30));
                for (ReplicaCollector c : collectors) {
                    assertNull(c.failure(), () -> String.valueOf(c.failure()));
                }
            } finally {
                collectors.forEach(ReplicaCollector::close);
            }
            check(bank.history(), feed);
        }
    }

    private static void check(List<TxnRecord> history, MergerFeed feed) {
        List<GlobalTransaction<EventGroup>> emitted = feed.emitted();
        Map<String, TxnRecord> bySqlId = new HashMap<>();
        Map<Gtrid, TxnRecord> byGtrid = new HashMap<>();
        for (TxnRecord r : history) {
            r.sqlIds().forEach(id -> bySqlId.put(id, r));
            if (r.isDistributed()) {
                byGtrid.put(Gtrid.of(r.gtrid()), r);
            }
        }
        Set<Long> seen = new HashSet<>();
        SortKey last = null;
        int distributed = 0;
        for (GlobalTransaction<EventGroup> tx : emitted) {
            assertTrue(last == null || last.compareTo(tx.key()) < 0, () -> "key order: " + tx);
            last = tx.key();
            Set<TxnRecord> owners = new HashSet<>();
            for (int i = 0; i < tx.size(); i++) {
                EventGroup part = tx.payload(i);
                for (int e = 0; e < part.size(); e++) {
                    if (part.isTableMap(e)) {
                        assertFalse(part.database(e).equals("__gbinlog"), () -> "a protocol marker emitted as data: " + tx);
                    }
                    if (part.isRowsQuery(e)) {
                        Matcher m = SQL_ID.matcher(part.statement(e));
                        assertTrue(m.find(), () -> "statement without sql_id: " + tx);
                        owners.add(bySqlId.get(m.group(1)));
                    }
                }
            }
            assertEquals(1, owners.size(), () -> "one workload transaction per emitted transaction: " + tx + " " + owners);
            TxnRecord r = owners.iterator().next();
            assertNotNull(r, () -> "emitted transaction of no workload statement: " + tx);
            assertEquals(Outcome.COMMITTED, r.outcome(), () -> "emitted but not committed: " + r);
            assertTrue(seen.add(r.id()), () -> "emitted twice: " + r);
            if (r.isDistributed()) {
                distributed++;
                assertTrue(tx.isDistributed(), () -> tx + " " + r);
                assertEquals(Gtrid.of(r.gtrid()), tx.gtrid());
                assertEquals(r.cts(), tx.timestamp(), () -> "cts of " + r);
                assertEquals(r.participants().size(), tx.size(), () -> "whole: " + tx + " " + r);
                for (int i = 0; i < tx.size(); i++) {
                    int stream = tx.stream(i);
                    assertTrue(r.participants().contains("dn" + stream), () -> tx + " " + r);
                }
            } else {
                assertFalse(tx.isDistributed(), () -> tx + " " + r);
            }
        }
        for (TxnRecord r : history) {
            if (r.outcome() == Outcome.COMMITTED) {
                assertTrue(seen.contains(r.id()), () -> "committed but never emitted: " + r);
            }
            if (r.isDistributed() && r.outcome() != Outcome.COMMITTED) {
                assertFalse(emitted.stream().anyMatch(tx -> Gtrid.of(r.gtrid()).equals(tx.gtrid())), () -> "emitted: " + r);
            }
        }
        assertTrue(distributed > TRANSACTIONS / 5, "distributed transactions emitted: " + distributed);
        assertEquals(List.of(), feed.merger().holdups(0));
        assertEquals(0, feed.merger().orphanResolutions());
        assertEquals(byGtrid.values().stream().filter(r -> r.outcome() == Outcome.COMMITTED).count(), distributed);
    }
}
