package io.gbinlog.integration.collector;

import static io.gbinlog.integration.collector.CollectorTesting.config;
import static io.gbinlog.integration.collector.CollectorTesting.sql;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.shyiko.mysql.binlog.BinaryLogFileReader;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventType;
import com.github.shyiko.mysql.binlog.event.WriteRowsEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import io.gbinlog.collector.capture.BinlogCoordinates;
import io.gbinlog.collector.capture.EventGroup;
import io.gbinlog.collector.node.DataNodes;
import io.gbinlog.collector.ordering.Gtrid;
import io.gbinlog.collector.source.BinlogFileCollector;
import io.gbinlog.collector.source.ReplicaCollector;
import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.integration.collector.Input.Kind;
import io.gbinlog.meta.tso.TsoAllocator;
import io.gbinlog.protocol.binlog.EventBuffer;
import io.gbinlog.protocol.binlog.EventHeader;
import io.gbinlog.protocol.binlog.FormatDescriptionEventEncoder;
import io.gbinlog.protocol.binlog.TransactionEncoder;
import java.io.ByteArrayInputStream;
import java.io.Serializable;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A scripted mix of transactions on two data nodes, captured live through replica connections and again from
 * the binlog files: exactly the expected engine inputs, with payloads byte-identical to the data nodes' events.
 */
class CaptureTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path tmp;

    @Test
    void scriptedMixBecomesExactlyTheExpectedInputs() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(2);
             TsoAllocator tso = TsoAllocator.open(tmp.resolve("tso.lease"))) {
            DataNode dn0 = cluster.node("dn0");
            DataNode dn1 = cluster.node("dn1");
            BinlogCoordinates start0;
            BinlogCoordinates start1;
            try (Connection c0 = dn0.connect(); Connection c1 = dn1.connect()) {
                start0 = DataNodes.masterStatus(c0, config(dn0));
                start1 = DataNodes.masterStatus(c1, config(dn1));
            }
            Recorder live = new Recorder(false);
            List<Expected> expected0 = new ArrayList<>();
            List<Expected> expected1 = new ArrayList<>();
            try (ReplicaCollector r0 = ReplicaCollector.builder(config(dn0), 0, live).startAt(start0).start();
                 ReplicaCollector r1 = ReplicaCollector.builder(config(dn1), 1, live).startAt(start1).start();
                 Connection c0 = dn0.connect(); Connection c0b = dn0.connect(); Connection c1 = dn1.connect()) {

                sql(c0, "CREATE DATABASE app");
                expected0.add(Expected.ddl("CREATE DATABASE app"));
                sql(c0, "CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(100), b BLOB)");
                expected0.add(Expected.ddl("CREATE TABLE app.t"));
                sql(c1, "CREATE DATABASE app", "CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(100), b BLOB)");
                expected1.add(Expected.ddl("CREATE DATABASE app"));
                expected1.add(Expected.ddl("CREATE TABLE app.t"));

                sql(c0, "BEGIN", "/* sql_id=ins.1 */ INSERT INTO app.t VALUES (1, 'one', NULL), (2, 'two', x'00ff'),"
                        + " (3, 'three', REPEAT('b', 3000))", "UPDATE app.t SET v = 'TWO' WHERE id = 2",
                        "DELETE FROM app.t WHERE id = 3", "COMMIT");
                expected0.add(Expected.local(3));

                // A distributed transaction following the protocol: prepare everywhere, decide, commit.
                xa(c0, "g1", "dn0", "INSERT INTO app.t VALUES (10, 'ten', NULL)");
                xa(c1, "g1", "dn1", "INSERT INTO app.t VALUES (10, 'ten', NULL)");
                long cts1 = tso.next();
                sql(c0b, "INSERT INTO __gbinlog.commit_log VALUES ('g1', " + cts1 + ", 'dn0,dn1')");
                sql(c0, "XA COMMIT 'g1','dn0'");
                sql(c1, "XA COMMIT 'g1','dn1'");
                expected0.add(Expected.prepared("g1"));
                expected0.add(Expected.commitLog("g1", cts1, "dn0", "dn1"));
                expected0.add(Expected.of(Kind.COMMITTED, "g1"));
                expected1.add(Expected.prepared("g1"));
                expected1.add(Expected.of(Kind.COMMITTED, "g1"));

                // Prepared, then aborted by the decision row with cts 0, then rolled back.
                xa(c0, "g2", "dn0", "UPDATE app.t SET v = 'no' WHERE id = 1");
                xa(c1, "g2", "dn1", "DELETE FROM app.t WHERE id = 10");
                sql(c0b, "INSERT INTO __gbinlog.commit_log VALUES ('g2', 0, 'dn0,dn1')");
                sql(c0, "XA ROLLBACK 'g2','dn0'");
                sql(c1, "XA ROLLBACK 'g2','dn1'");
                expected0.add(Expected.prepared("g2"));
                expected0.add(Expected.commitLog("g2", 0, "dn0", "dn1"));
                expected0.add(Expected.of(Kind.ROLLED_BACK, "g2"));
                expected1.add(Expected.prepared("g2"));
                expected1.add(Expected.of(Kind.ROLLED_BACK, "g2"));

                sql(c1, "/* sql_id=auto.1 */ INSERT INTO app.t VALUES (20, 'twenty', NULL)");
                expected1.add(Expected.local(1));
                sql(c1, "ALTER TABLE app.t ADD COLUMN c INT");
                expected1.add(Expected.ddl("ALTER TABLE app.t"));

                // A binary gtrid, decided on dn1 alone.
                sql(c1, "XA START X'0001ff',X'01',7", "INSERT INTO app.t VALUES (30, 'bin', NULL, 3)",
                        "XA END X'0001ff',X'01',7", "XA PREPARE X'0001ff',X'01',7");
                long cts3 = tso.next();
                try (Connection c1b = dn1.connect()) {
                    sql(c1b, "INSERT INTO __gbinlog.commit_log VALUES (X'0001ff', " + cts3 + ", 'dn1')");
                }
                sql(c1, "XA COMMIT X'0001ff',X'01',7");
                Gtrid binary = Gtrid.of(new byte[] {0, 1, (byte) 0xff});
                expected1.add(new Expected(Kind.PREPARED, binary, 0, null, 1, null));
                expected1.add(new Expected(Kind.COMMIT_LOG_ROW, binary, cts3, List.of("dn1"), 0, null));
                expected1.add(new Expected(Kind.COMMITTED, binary, 0, null, 0, null));

                // The binlog rotates; the stream follows into the next file.
                sql(c0, "FLUSH BINARY LOGS");
                sql(c0, "INSERT INTO app.t VALUES (40, 'after rotate', NULL)");
                expected0.add(Expected.local(1));

                live.await(in -> in.stream().filter(i -> i.stream() == 0).count() >= expected0.size()
                        && in.stream().filter(i -> i.stream() == 1).count() >= expected1.size(), TIMEOUT,
                        "every scripted transaction");
                assertNull(r0.failure());
                assertNull(r1.failure());
                assertEquals(0, r0.reconnects() + r1.reconnects());
            }
            List<Input> got0 = live.inputs(0);
            List<Input> got1 = live.inputs(1);
            checkStream(got0, expected0, dn0);
            checkStream(got1, expected1, dn1);

            // The same from the binlog files on disk.
            for (DataNode dn : List.of(dn0, dn1)) {
                int stream = dn == dn0 ? 0 : 1;
                Recorder files = new Recorder(false);
                BinlogCoordinates end = BinlogFileCollector.read(dn.binlogFiles(), stream == 0 ? start0 : start1,
                        stream, dn.id(), files);
                List<Input> fromFiles = files.inputs();
                List<Input> fromReplica = live.inputs(stream);
                assertEquals(fromReplica.size(), fromFiles.size(), () -> fromFiles + "\nvs\n" + fromReplica);
                for (int i = 0; i < fromFiles.size(); i++) {
                    assertTrue(fromFiles.get(i).sameAs(fromReplica.get(i)), fromFiles.get(i) + " vs " + fromReplica.get(i));
                }
                try (Connection c = dn.connect()) {
                    assertEquals(DataNodes.masterStatus(c, config(dn)), end, "files read to the binlog end");
                }
            }

            feedsTheEncoder(got0.get(2).payload());
        }
    }

    private static void xa(Connection c, String gtrid, String bqual, String statement) throws Exception {
        String xid = "'" + gtrid + "','" + bqual + "'";
        sql(c, "XA START " + xid, statement, "XA END " + xid, "XA PREPARE " + xid);
    }

    /** Inputs in order, positions at group starts, payload bytes equal to the data node's own. */
    private static void checkStream(List<Input> got, List<Expected> expected, DataNode dn) throws Exception {
        assertEquals(expected.size(), got.size(), () -> dn.id() + ": " + got);
        List<RawBinlog.RawEvent> raw = RawBinlog.read(dn.binlogFiles());
        List<Long> groupStarts = RawBinlog.groupStarts(raw);
        long last = Long.MIN_VALUE;
        for (int i = 0; i < got.size(); i++) {
            Input in = got.get(i);
            Expected e = expected.get(i);
            String what = dn.id() + " input " + i + " " + in;
            assertEquals(e.kind, in.kind(), what);
            assertEquals(e.gtrid, in.gtrid(), what);
            assertEquals(e.cts, in.cts(), what);
            assertEquals(e.participants, in.participants(), what);
            assertTrue(groupStarts.contains(in.position()), what + " is at a group start");
            assertTrue(in.position() > last, what + " after " + last);
            last = in.position();
            EventGroup payload = in.payload();
            if (e.kind == Kind.PREPARED || e.kind == Kind.LOCAL) {
                assertEquals(e.ddl != null, payload.isDdl(), what);
                if (e.ddl != null) {
                    assertEquals(1, payload.size(), what);
                    assertTrue(payload.statement(0).startsWith(e.ddl), what + ": " + payload.statement(0));
                } else {
                    assertEquals(e.rowStatements, countRowStatements(payload), what);
                }
                List<RawBinlog.RawEvent> own = RawBinlog.payloadEvents(raw, in.position(), payload.isDdl());
                assertEquals(own.size(), payload.size(), what);
                for (int k = 0; k < own.size(); k++) {
                    assertEquals(own.get(k).type(), payload.type(k), what + " event " + k);
                    assertArrayEquals(own.get(k).body(), Arrays.copyOfRange(payload.buffer(), payload.offset(k),
                            payload.offset(k) + payload.length(k)), what + " event " + k + " bytes");
                }
                for (int k = 0; k < payload.size(); k++) {
                    if (payload.isTableMap(k)) {
                        assertEquals("app", payload.database(k), what);
                        assertEquals("t", payload.table(k), what);
                    }
                }
            } else {
                assertNull(payload, what);
            }
        }
    }

    private static int countRowStatements(EventGroup payload) {
        int n = 0;
        for (int k = 0; k < payload.size(); k++) {
            if (payload.isRowsQuery(k)) {
                n++;
            }
        }
        return n;
    }

    /** The payload goes straight into the global binlog encoder and decodes back to the rows written. */
    private static void feedsTheEncoder(EventGroup payload) throws Exception {
        EventBuffer out = new EventBuffer(256);
        out.reset(0);
        out.writeBytes(EventHeader.MAGIC);
        FormatDescriptionEventEncoder.write(out, 1_700_000_000L, 99);
        TransactionEncoder tx = new TransactionEncoder(out, 99, UUID.randomUUID());
        tx.beginRows(1_700_000_000_000L << 22, 1, 0, 1);
        for (int i = 0; i < payload.size(); i++) {
            if (payload.isRowsQuery(i)) {
                tx.rowsQuery(payload.buffer(), payload.textOffset(i), payload.textLength(i));
            } else if (payload.isTableMap(i)) {
                tx.tableMap(payload.buffer(), payload.offset(i), payload.length(i), 5, null, null);
            } else {
                tx.rows(payload.type(i), payload.buffer(), payload.offset(i), payload.length(i), 5);
            }
        }
        tx.commit();
        EventDeserializer deserializer = new EventDeserializer(); // learns CRC32 from the format description
        List<String> statements = new ArrayList<>();
        List<Serializable[]> inserted = new ArrayList<>();
        try (BinaryLogFileReader reader = new BinaryLogFileReader(
                new ByteArrayInputStream(Arrays.copyOf(out.array(), out.length())), deserializer)) {
            for (Event e = reader.readEvent(); e != null; e = reader.readEvent()) {
                if (e.getHeader().getEventType() == EventType.ROWS_QUERY) {
                    statements.add(e.getData().toString());
                }
                if (e.getData() instanceof WriteRowsEventData w) {
                    inserted.addAll(w.getRows());
                }
            }
        }
        assertTrue(statements.stream().anyMatch(s -> s.contains("sql_id=ins.1")), statements::toString);
        assertEquals(3, inserted.size());
        assertEquals(1, inserted.get(0)[0]);
        assertArrayEquals(new byte[] {0, (byte) 0xff}, (byte[]) inserted.get(1)[2]);
    }

    /** What one input must be. */
    private record Expected(Kind kind, Gtrid gtrid, long cts, List<String> participants, int rowStatements,
                            String ddl) {
        static Expected ddl(String prefix) {
            return new Expected(Kind.LOCAL, null, 0, null, 0, prefix);
        }

        static Expected local(int rowStatements) {
            return new Expected(Kind.LOCAL, null, 0, null, rowStatements, null);
        }

        static Expected prepared(String gtrid) {
            return new Expected(Kind.PREPARED, Gtrid.of(gtrid), 0, null, 1, null);
        }

        static Expected of(Kind kind, String gtrid) {
            return new Expected(kind, Gtrid.of(gtrid), 0, null, 0, null);
        }

        static Expected commitLog(String gtrid, long cts, String... participants) {
            return new Expected(Kind.COMMIT_LOG_ROW, Gtrid.of(gtrid), cts, List.of(participants), 0, null);
        }
    }
}
