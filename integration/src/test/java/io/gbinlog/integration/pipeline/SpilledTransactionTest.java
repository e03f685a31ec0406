package io.gbinlog.integration.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.shyiko.mysql.binlog.BinaryLogFileReader;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.WriteRowsEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.ChecksumType;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import io.gbinlog.meta.tso.JdbcTsoClient;
import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.integration.testing.ChildJvm;
import io.gbinlog.integration.testing.TestTso;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One transaction of 256 MB of rows passes through a pipeline whose heap is capped at 128 MB: it spills to disk on
 * the way and comes out whole, in one GTID transaction, every row and every byte of it.
 */
class SpilledTransactionTest {

    private static final int ROWS = 256;
    /** One row: an MD5 in hex (32 bytes) repeated, 1 MiB. */
    private static final int REPEATS = 32 * 1024;

    @TempDir
    Path tmp;

    @Test
    void aTransactionTwiceTheHeapComesOutWhole() throws Exception {
        try (LocalCluster cluster = LocalCluster.builder().nodes(1).serverOption("--innodb-buffer-pool-size=64M")
                .start(); TestTso tso = TestTso.start();
             JdbcTsoClient clock = new JdbcTsoClient(TestTso.HOST, tso.port(), TestTso.USER, TestTso.PASSWORD)) {
            DataNode dn = cluster.node(0);
            Path storage = tmp.resolve("storage");
            Path config = writeConfig(dn, tso, storage);
            createSchema(dn); // before the first start: part of its snapshot (no DDL outside the protocol later)
            long[] expected;
            ChildJvm child = ChildJvm.start(List.of("-Xmx128m"), PipelineProcessMain.class, config.toString());
            try {
                child.awaitLine("started", 60);
                expected = insertBigTransaction(dn);
                assertEquals(ROWS, expected[0]);
                assertTrue(expected[1] >= 256L << 20, "at least 256 MiB of rows: " + expected[1]);
                long end = clock.next();
                awaitDurable(child, end);
                child.terminate();
                assertEquals(0, child.waitFor(60), "closed cleanly on SIGTERM");
            } finally {
                child.close();
            }
            assertEquals(List.of(expected[0], expected[1], expected[2]), readBack(storage.resolve("binlog")),
                    "rows, bytes and CRC32 sum of the blobs, in one transaction");
            try (var left = Files.list(storage.resolve("spill"))) {
                assertEquals(List.of(), left.toList(), "spill files are deleted once written");
            }
        }
    }

    private static void createSchema(DataNode dn) throws Exception {
        try (Connection c = DriverManager.getConnection(dn.jdbcUrl(), dn.user(), dn.password());
             Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE big");
            s.execute("CREATE TABLE big.blobs (id INT PRIMARY KEY, b LONGBLOB NOT NULL) ENGINE=InnoDB");
        }
    }

    /** Returns what the data node holds: row count, total blob bytes, sum of the blobs' CRC32. */
    private static long[] insertBigTransaction(DataNode dn) throws Exception {
        try (Connection c = DriverManager.getConnection(dn.jdbcUrl(), dn.user(), dn.password());
             Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("INSERT INTO big.blobs SELECT seq, REPEAT(MD5(seq), " + REPEATS + ") FROM big.seq_1_to_" + ROWS);
            c.commit();
            try (ResultSet r = s.executeQuery("SELECT COUNT(*), SUM(LENGTH(b)), SUM(CRC32(b)) FROM big.blobs")) {
                r.next();
                return new long[] {r.getLong(1), r.getLong(2), r.getLong(3)};
            }
        }
    }

    /** Streams the global binlog: the rows of big.blobs, all in one transaction, and their totals. */
    private static List<Long> readBack(Path binlogDir) throws Exception {
        EventDeserializer deserializer = new EventDeserializer();
        deserializer.setChecksumType(ChecksumType.CRC32);
        deserializer.setCompatibilityMode(EventDeserializer.CompatibilityMode.CHAR_AND_BINARY_AS_BYTE_ARRAY);
        Map<Long, String> tables = new HashMap<>();
        long rows = 0;
        long bytes = 0;
        long crcs = 0;
        int transactionsWithRows = 0;
        boolean rowsInThisTransaction = false;
        CRC32 crc = new CRC32();
        for (Path file : GlobalBinlogContent.files(binlogDir)) {
            try (BinaryLogFileReader reader = new BinaryLogFileReader(file.toFile(), deserializer)) {
                for (Event e = reader.readEvent(); e != null; e = reader.readEvent()) {
                    EventType type = e.getHeader().getEventType();
                    if (type == EventType.GTID) {
                        rowsInThisTransaction = false;
                    } else if (e.getData() instanceof TableMapEventData map) {
                        tables.put(map.getTableId(), map.getDatabase() + "." + map.getTable());
                    } else if (e.getData() instanceof WriteRowsEventData w
                            && "big.blobs".equals(tables.get(w.getTableId()))) {
                        if (!rowsInThisTransaction) {
                            rowsInThisTransaction = true;
                            transactionsWithRows++;
                        }
                        for (Serializable[] row : w.getRows()) {
                            byte[] blob = (byte[]) row[1];
                            rows++;
                            bytes += blob.length;
                            crc.reset();
                            crc.update(blob);
                            crcs += crc.getValue();
                        }
                    }
                }
            }
        }
        assertEquals(1, transactionsWithRows, "the rows of big.blobs are in one transaction");
        return List.of(rows, bytes, crcs);
    }

    private static Path writeConfig(DataNode dn, TestTso tso, Path storage) throws Exception {
        String yaml = "dataNodes:\n"
                + "  - {id: " + dn.id() + ", host: " + dn.host() + ", port: " + dn.port() + ", user: " + dn.user()
                + ", password: " + dn.password() + "}\n"
                + "tso: {address: " + TestTso.HOST + ":" + tso.port() + ", user: " + TestTso.USER + ", password: "
                + TestTso.PASSWORD + "}\n"
                + "storage: {dir: " + storage + "}\n"
                + "collector: {probeIntervalMs: 20, spillThreshold: " + System.getProperty("gbinlog.spillThreshold", "4M") + "}\n"
                + "binlog: {maxFileSize: 64M, fsync: batch, checkpointIntervalMs: 100}\n";
        Files.createDirectories(storage);
        return Files.writeString(storage.resolveSibling("gbinlog.yaml"), yaml);
    }

    private static void awaitDurable(ChildJvm child, long tso) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (Long.parseLong(child.awaitLine("durable ", 120)) < tso) {
            assertTrue(System.nanoTime() < deadline, "the pipeline did not catch up with TSO " + tso);
        }
    }
}
