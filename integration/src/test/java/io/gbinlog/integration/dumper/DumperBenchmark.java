package io.gbinlog.integration.dumper;

import com.github.shyiko.mysql.binlog.BinaryLogClient;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.RotateEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.ByteArrayEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import io.gbinlog.dumper.fixture.SourceTransactions;
import io.gbinlog.dumper.fixture.TestBinlog;
import io.gbinlog.dumper.server.Dumper;
import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.merger.writer.BinlogPosition;
import io.gbinlog.meta.config.HostPort;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Throughput of the dumper streaming the global binlog to N concurrent replicas, against MariaDB (a
 * {@link LocalCluster} data node) streaming its own binlog of the same transactions to N replicas, in the same run
 * on the same machine. The replicas are mysql-binlog-connector-java clients that decode event headers but not row
 * images, so the servers are measured more than the clients. Not a test: run it with
 * {@code mvn -B -pl integration -am -Pbench -DskipTests test} (options: -Dbench.replicas=16 -Dbench.megabytes=32
 * -Dbench.rounds=3).
 */
public final class DumperBenchmark {

    private static final int REPLICAS = Integer.getInteger("bench.replicas", 16);
    private static final int MEGABYTES = Integer.getInteger("bench.megabytes", 32);
    private static final int ROUNDS = Integer.getInteger("bench.rounds", 3);

    private DumperBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("gbinlog-dumper-bench-");
        try (LocalCluster cluster = LocalCluster.start(1)) {
            DataNode mariadb = cluster.node(0);
            try (Connection c = mariadb.connect(); Statement s = c.createStatement()) {
                CaptureRecipe.createSchema(s);
                bulkWorkload(c, s, MEGABYTES * 1024L * 1024);
                s.execute("FLUSH BINARY LOGS"); // the file replicas read is complete and no longer written
            }
            Path mariadbBinlog = mariadb.binlogFiles().get(0);
            try (TestBinlog global = TestBinlog.open(dir.resolve("global"), 1L << 30);
                    InputStream in = Files.newInputStream(mariadbBinlog)) {
                for (List<SourceTransactions.RawEvent> tx : SourceTransactions.read(in, Map.of()).transactions()) {
                    global.append(tx);
                }
                BinlogPosition globalEnd = global.log().endPosition();
                System.out.printf("same %d transactions: MariaDB binlog %.1f MB, global binlog %.1f MB; %d replicas each%n",
                        global.transactions(), Files.size(mariadbBinlog) / 1e6, globalEnd.position() / 1e6, REPLICAS);
                // Both servers take the data node's account, so the replicas log in to either alike.
                Map<String, String> users = Map.of(mariadb.user(), mariadb.password());
                try (Dumper dumper = Dumper.start(global.log(), HostPort.parse("127.0.0.1:0"), users)) {
                    for (int round = 1; round <= ROUNDS; round++) {
                        double mariadbRate = run(mariadb, mariadb.port(), mariadbBinlog.getFileName().toString(),
                                Files.size(mariadbBinlog));
                        double dumperRate = run(mariadb, dumper.port(), globalEnd.file(), globalEnd.position());
                        System.out.printf("round %d: MariaDB %7.1f MB/s   dumper %7.1f MB/s   (all replicas together)%n",
                                round, mariadbRate, dumperRate);
                    }
                }
            }
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** Transactions of large multi-row inserts and updates until the binlog holds {@code bytes}. */
    private static void bulkWorkload(Connection c, Statement s, long bytes) throws Exception {
        Random random = new Random(42);
        long nextItem = 1;
        while (binlogSize(s) < bytes) {
            c.setAutoCommit(false);
            StringBuilder sql = new StringBuilder("INSERT INTO shop.items VALUES ");
            for (int r = 0; r < 50; r++) {
                byte[] payload = new byte[1000 + random.nextInt(2000)];
                random.nextBytes(payload);
                sql.append(r == 0 ? "" : ",").append('(').append(nextItem++).append(", x'")
                        .append(HexFormat.of().formatHex(payload)).append("', 'l").append(r).append("', ")
                        .append(random.nextInt(256) - 128).append(", '2024-02-29')");
            }
            s.execute(sql.toString());
            s.execute("INSERT INTO shop.orders VALUES (" + nextItem + ", 'c', 1.5, 'n', NOW(6), 1, 0.5)");
            s.execute("UPDATE shop.items SET flag = flag DIV 2 WHERE id > " + (nextItem - 20));
            c.commit();
        }
        c.setAutoCommit(true);
    }

    private static long binlogSize(Statement s) throws Exception {
        try (ResultSet r = s.executeQuery("SHOW MASTER STATUS")) {
            r.next();
            return r.getLong(2);
        }
    }

    /**
     * Streams {@code file} from its start to {@code end} to REPLICAS clients at once, logged in with the account of
     * {@code node}; returns MB/s over all.
     */
    private static double run(DataNode node, int port, String file, long end) throws Exception {
        CountDownLatch done = new CountDownLatch(REPLICAS);
        List<BinaryLogClient> clients = new ArrayList<>();
        long[] bytes = new long[REPLICAS];
        for (int i = 0; i < REPLICAS; i++) {
            BinaryLogClient client = new BinaryLogClient("127.0.0.1", port, node.user(), node.password());
            client.setServerId(5000 + i);
            client.setKeepAlive(false);
            client.setBinlogFilename(file);
            client.setBinlogPosition(4);
            EventDeserializer deserializer = new EventDeserializer();
            for (EventType rows : List.of(EventType.WRITE_ROWS, EventType.UPDATE_ROWS, EventType.DELETE_ROWS,
                    EventType.EXT_WRITE_ROWS, EventType.EXT_UPDATE_ROWS, EventType.EXT_DELETE_ROWS)) {
                deserializer.setEventDataDeserializer(rows, new ByteArrayEventDataDeserializer());
            }
            client.setEventDeserializer(deserializer);
            int index = i;
            String[] current = {file};
            client.registerEventListener(event -> {
                EventHeaderV4 header = event.getHeader();
                bytes[index] += header.getEventLength();
                if (current[0].equals(file) && header.getNextPosition() == end) {
                    done.countDown(); // (MariaDB's file ends with the rotate to its next one)
                }
                if (event.getData() instanceof RotateEventData rotate) {
                    current[0] = rotate.getBinlogFilename();
                }
            });
            clients.add(client);
        }
        long start = System.nanoTime();
        for (BinaryLogClient client : clients) {
            client.connect(10_000);
        }
        if (!done.await(2, TimeUnit.MINUTES)) {
            throw new IllegalStateException("replicas did not reach " + file + ":" + end + " within 2 minutes");
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        for (BinaryLogClient client : clients) {
            client.disconnect();
        }
        long total = 0;
        for (long b : bytes) {
            total += b;
        }
        return total / 1e6 / seconds;
    }
}
