package io.gbinlog.dumper.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.shyiko.mysql.binlog.network.protocol.command.DumpBinaryLogCommand;
import io.gbinlog.dumper.fixture.ConnectorReplica;
import io.gbinlog.dumper.fixture.ProtocolClient;
import io.gbinlog.dumper.fixture.SourceTransactions;
import io.gbinlog.dumper.fixture.TestBinlog;
import io.gbinlog.dumper.server.Dumper;
import io.gbinlog.meta.config.HostPort;
import io.gbinlog.protocol.binlog.EventType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fifty replicas stream the same binlog at once while one more replica stops reading its socket: the fifty get
 * everything while it is stalled, the dumper stops feeding the stalled one once its connection is full (so it
 * holds about a batch beyond the connection's high-water mark and nothing more), and it gets the rest once it
 * reads again.
 */
class ManyReplicasTest {

    private static final int REPLICAS = 50;
    /** Netty's default high-water mark: above it a connection reports itself unwritable. */
    private static final int HIGH_WATER_MARK = 64 * 1024;
    /**
     * Well beyond what the stalled replica's sockets can take (the kernel autotunes a loopback send buffer to a few
     * MB), so back-pressure must hold the rest.
     */
    private static final long STREAM_BYTES = 12L * 1024 * 1024;

    /** How long the stalled replica reads nothing. */
    private static final long STALL_NANOS = 30_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void fiftyReplicasGetEverythingWhileAStalledOneHoldsOnlyItsOwnSmallBuffer() throws Exception {
        try (TestBinlog binlog = TestBinlog.open(dir, 1024 * 1024)) {
            binlog.appendSchema();
            binlog.appendRestOfSource();
            List<Integer> large = largeTransactions(binlog);
            for (int i = 0; totalSize(binlog) < STREAM_BYTES; i++) {
                binlog.appendCopy(large.get(i % large.size()));
            }
            long streamBytes = totalSize(binlog);
            long transactions = binlog.transactions();
            try (Dumper dumper = Dumper.start(binlog.log(), HostPort.parse("127.0.0.1:0"), Map.of("repl", "secret"));
                    ProtocolClient stalled = ProtocolClient.login(dumper.port(), "repl", "secret", 4096)) {
                stalled.execute("SET @master_binlog_checksum = @@global.binlog_checksum");
                stalled.send(new DumpBinaryLogCommand(9999, "binlog.000001", 4)); // and then reads nothing
                long stalledSince = System.nanoTime();

                List<ConnectorReplica> replicas = new ArrayList<>();
                try {
                    for (int i = 0; i < REPLICAS; i++) {
                        ConnectorReplica replica = new ConnectorReplica(dumper.port(), 2000 + i, false);
                        replica.client().setBinlogFilename("binlog.000001");
                        replica.client().setBinlogPosition(4);
                        replica.connect();
                        replicas.add(replica);
                    }
                    for (ConnectorReplica replica : replicas) {
                        replica.awaitGno(transactions);
                        assertEquals(LongStream.rangeClosed(1, transactions).boxed().toList(), replica.gnos());
                        assertEquals(List.of(), replica.failures());
                    }
                } finally {
                    for (ConnectorReplica replica : replicas) {
                        replica.close();
                    }
                }
                long othersDone = System.nanoTime() - stalledSince;
                assertTrue(othersDone < STALL_NANOS, "the 50 replicas needed " + othersDone / 1_000_000
                        + " ms: the stalled one held them up");
                // The replica stays paused for the whole 30 s, not a moment less: the pause itself is what is
                // tested, so this wait is the scenario, not synchronisation.
                Thread.sleep(Math.max(0, (STALL_NANOS - othersDone) / 1_000_000));
                DumpMetrics metrics = dumper.metrics();
                long fed = metrics.eventBytesSent() - REPLICAS * streamBytes;
                assertTrue(fed < streamBytes / 2, "the stalled replica was fed " + fed + " of " + streamBytes
                        + " bytes: back-pressure did not hold its stream");
                long largestEvent = largestEvent(binlog);
                long bound = HIGH_WATER_MARK + BinlogDump.BATCH_BYTES + largestEvent + 64 * 1024;
                assertTrue(metrics.maxQueuedBytesPerReplica() <= bound, "a replica's connection queued "
                        + metrics.maxQueuedBytesPerReplica() + " bytes, more than " + bound);

                // Reading again, the stalled replica gets the complete stream.
                assertEquals(transactions, readWholeStream(stalled, transactions));
            }
        }
    }

    /**
     * The captured transactions of more than 8 KB (statements MariaDB split over several row events): their copies
     * make the stream large in bytes with few events, as a row-heavy source's stream is.
     */
    private static List<Integer> largeTransactions(TestBinlog binlog) {
        List<List<SourceTransactions.RawEvent>> all = binlog.source().transactions();
        List<Integer> large = IntStream.range(0, all.size())
                .filter(i -> all.get(i).stream().mapToInt(e -> e.body().length).sum() > 8 * 1024).boxed().toList();
        assertTrue(!large.isEmpty(), "the capture holds no transaction of more than 8 KB");
        return large;
    }

    private static long totalSize(TestBinlog binlog) throws Exception {
        long size = 0;
        for (Path file : binlog.files()) {
            size += Files.size(file) - 4; // the magic bytes are not streamed
        }
        return size;
    }

    private static long largestEvent(TestBinlog binlog) throws Exception {
        long largest = 0;
        for (Path file : binlog.files()) {
            byte[] bytes = Files.readAllBytes(file);
            for (int at = 4; at < bytes.length; ) {
                long size = io.gbinlog.protocol.binlog.EventHeader.eventSize(bytes, at);
                largest = Math.max(largest, size);
                at += (int) size;
            }
        }
        return largest;
    }

    /** Reads event packets until the last transaction's XID; returns the number of GTID events seen. */
    private static long readWholeStream(ProtocolClient client, long transactions) throws Exception {
        long gtids = 0;
        while (true) {
            byte[] packet = client.readStreamPacket();
            assertEquals(0, packet[0], "an event packet");
            int type = packet[1 + 4] & 0xff;
            if (type == EventType.GTID) {
                gtids++;
            } else if (type == EventType.XID && gtids == transactions) {
                return gtids;
            }
        }
    }
}
