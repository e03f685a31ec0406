package io.gbinlog.dumper.stream;

import io.gbinlog.merger.writer.GlobalBinlog;
import io.gbinlog.protocol.server.CommandContext;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The COM_BINLOG_DUMP and COM_BINLOG_DUMP_GTID handlers, and what all streams share: the global binlog, a small
 * pool of reader threads (file reads never run on an event loop) and the signal of new transactions.
 */
public final class BinlogDumps implements AutoCloseable {

    private final GlobalBinlog binlog;
    private final long serverId;
    private final UUID clusterUuid;
    private final ExecutorService readers;
    private final TailSignal tail;
    private final DumpMetrics metrics = new DumpMetrics();

    /** @param readerThreads threads that read binlog files for all streams */
    public BinlogDumps(GlobalBinlog binlog, int readerThreads) {
        if (readerThreads < 1) {
            throw new IllegalArgumentException("readerThreads must be at least 1, got " + readerThreads);
        }
        this.binlog = binlog;
        this.serverId = binlog.config().serverId();
        this.clusterUuid = binlog.config().clusterUuid();
        this.readers = Executors.newFixedThreadPool(readerThreads, new DefaultThreadFactory("gbinlog-dumper-reader", true));
        this.tail = new TailSignal(binlog);
    }

    /** COM_BINLOG_DUMP: stream from a file and position. */
    public void dump(CommandContext context, ByteBuf body) {
        new BinlogDump(context, DumpRequest.decodeDump(body), this).start();
    }

    /** COM_BINLOG_DUMP_GTID: stream the transactions the replica's executed GTID set lacks. */
    public void dumpGtid(CommandContext context, ByteBuf body) {
        new BinlogDump(context, DumpRequest.decodeDumpGtid(body), this).start();
    }

    public DumpMetrics metrics() {
        return metrics;
    }

    GlobalBinlog binlog() {
        return binlog;
    }

    long serverId() {
        return serverId;
    }

    UUID clusterUuid() {
        return clusterUuid;
    }

    ExecutorService readers() {
        return readers;
    }

    TailSignal tail() {
        return tail;
    }

    /** Call after the server closed every connection: the streams' last tasks free their readers. */
    @Override
    public void close() {
        tail.close();
        readers.shutdown();
        try {
            if (!readers.awaitTermination(10, TimeUnit.SECONDS)) {
                readers.shutdownNow();
            }
        } catch (InterruptedException e) {
            readers.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
