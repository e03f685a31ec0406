package io.gbinlog.dumper.stream;

import io.gbinlog.merger.writer.BinlogEventReader;
import io.gbinlog.merger.writer.BinlogPosition;
import io.gbinlog.protocol.binlog.BinlogFormatException;
import io.gbinlog.protocol.binlog.EventBuffer;
import io.gbinlog.protocol.binlog.EventHeader;
import io.gbinlog.protocol.binlog.EventType;
import io.gbinlog.protocol.binlog.HeartbeatEventEncoder;
import io.gbinlog.protocol.binlog.RotateEventEncoder;
import io.gbinlog.protocol.packet.EofPacket;
import io.gbinlog.protocol.packet.ServerStatus;
import io.gbinlog.protocol.query.QueryResult;
import io.gbinlog.protocol.query.Session;
import io.gbinlog.protocol.server.CommandContext;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One replica's binlog stream, as MySQL's dump thread sends it: a fake ROTATE naming where the stream starts,
 * the file's FORMAT_DESCRIPTION, then every event from the start position on (each packet a 0x00 byte and the
 * event), a fake ROTATE before each following file, heartbeats while idle, and EOF at the end when asked not to
 * block.
 *
 * <p>No thread belongs to a stream. Reading runs as short tasks on the dumper's reader pool, one batch at a time,
 * and each batch is written on the connection's event loop. A stream then waits for the first of: its connection
 * becoming writable again (TCP back-pressure, so a replica that stops reading holds about one batch beyond its
 * connection's high-water mark and delays nobody), a new transaction in the log (one shared {@link TailSignal}),
 * or its heartbeat time. The state machine below makes exactly one of those resume it.
 */
final class BinlogDump implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(BinlogDump.class);

    /** Events read in one task; large enough to amortise the hop to the event loop, small enough to bound memory. */
    static final int BATCH_BYTES = 64 * 1024;
    private static final long FIRST_EVENT_POSITION = EventHeader.MAGIC.length;
    private static final int EVENT_SIZE_OFFSET = 9;
    private static final int LOG_POS_OFFSET = 13;
    /** After the header: binlog version (2) and server version (50). */
    private static final int FDE_CREATED_OFFSET = EventHeader.LENGTH + 2 + 50;

    private enum State { RUNNING, WAIT_WRITABLE, WAIT_DATA, DONE }

    private final CommandContext context;
    private final Channel channel;
    private final DumpRequest request;
    private final BinlogDumps dumps;
    private final AtomicReference<State> state = new AtomicReference<>(State.RUNNING);
    private volatile boolean closed;
    private volatile long lastSentNanos = System.nanoTime();
    /** Numbers the waits for data, so a heartbeat timer of an earlier wait cannot end a later one. */
    private volatile long waitNumber;
    private volatile ScheduledFuture<?> heartbeatTimer;
    private volatile boolean heartbeatDue;

    // Owned by whoever holds State.RUNNING: one task at a time.
    private final EventBuffer scratch = new EventBuffer(256);
    private long heartbeatNanos;
    private BinlogEventReader reader;
    /** The file of the last event sent: a reader event from another file means the stream crossed a rotation. */
    private String file;
    /** The reader's current event was read (to check the start position) but not sent yet. */
    private boolean holdsEvent;
    private boolean ended;

    BinlogDump(CommandContext context, DumpRequest request, BinlogDumps dumps) {
        this.context = context;
        this.channel = context.channel();
        this.request = request;
        this.dumps = dumps;
    }

    /** Called by the command handler on the event loop: takes the connection over and starts reading. */
    void start() {
        context.startStreaming();
        dumps.metrics().started();
        channel.closeFuture().addListener(f -> onClose());
        submit();
    }

    @Override
    public void run() {
        if (closed) {
            end();
            return;
        }
        List<ByteBuf> batch = new ArrayList<>();
        try {
            if (reader == null) {
                begin(batch);
            }
            long bytes = fill(batch);
            if (!batch.isEmpty()) {
                heartbeatDue = false; // events tell the replica the stream is alive
                deliver(batch, bytes);
            } else if (request.nonBlocking()) {
                endOfStream();
            } else if (heartbeatDue) {
                heartbeatDue = false;
                batch.add(heartbeat());
                deliver(batch, 0);
            } else {
                awaitData();
            }
        } catch (DumpFailure e) {
            release(batch);
            fail(e);
        } catch (BinlogFormatException e) {
            release(batch);
            fail(new DumpFailure("bogus data in log event; " + e.getMessage() + where()));
        } catch (IOException | UncheckedIOException e) {
            release(batch);
            fail(new DumpFailure("I/O error reading log event: " + e.getMessage() + where()));
        } catch (RuntimeException e) {
            release(batch);
            log.error("binlog dump for connection {} failed", context.session().connectionId(), e);
            fail(new DumpFailure("unknown error reading log event on the source: " + e + where()));
        }
    }

    // ---- reading (pool thread, RUNNING) ----------------------------------------------------------------------

    /** Checks the request, opens the reader and queues the fake ROTATE and FORMAT_DESCRIPTION. */
    private void begin(List<ByteBuf> batch) throws DumpFailure, IOException {
        Session session = context.session();
        boolean checksummedRotate = replicaChecksum(session);
        heartbeatNanos = heartbeatPeriod(session);
        BinlogPosition start = StartPoint.resolve(dumps.binlog(), dumps.clusterUuid(), request);
        log.info("replica server_id {} from {} starts a binlog dump at {} ({})", request.replicaServerId(),
                session.remoteHost(), start, request);
        file = start.file();
        reader = dumps.binlog().openReader(file, start.position());
        ByteBuf formatDescription;
        if (start.position() == FIRST_EVENT_POSITION) {
            formatDescription = readFormatDescription(reader);
        } else {
            try (BinlogEventReader header = dumps.binlog().openReader(file, FIRST_EVENT_POSITION)) {
                formatDescription = readFormatDescription(header);
            }
            clearLogPos(formatDescription);
            try {
                holdsEvent = reader.next();
            } catch (BinlogFormatException e) {
                release(formatDescription);
                throw new DumpFailure("Client requested source to start replication from position " + start.position()
                        + " of " + file + ", which is not the start of an event; take a position from SHOW MASTER STATUS,"
                        + " SHOW BINLOG EVENTS or the replica's Exec_Master_Log_Pos");
            }
        }
        batch.add(fakeRotate(file, start.position(), checksummedRotate));
        batch.add(formatDescription);
    }

    /**
     * MySQL refuses replicas that did not announce they handle checksums (the global binlog always has them);
     * the first fake ROTATE carries a checksum only if the replica asked for CRC32 (mysqlbinlog says NONE).
     */
    private static boolean replicaChecksum(Session session) throws DumpFailure {
        String variable = "source_binlog_checksum";
        String algorithm = session.userVariable(variable);
        if (algorithm == null) {
            variable = "master_binlog_checksum";
            algorithm = session.userVariable(variable);
        }
        if (algorithm == null) {
            throw new DumpFailure("Replica can not handle replication events with the checksum that source is configured"
                    + " to log: the global binlog is written with CRC32; run SET @source_binlog_checksum ="
                    + " @@global.binlog_checksum (or @master_binlog_checksum) before requesting the dump");
        }
        return switch (algorithm.strip().toUpperCase(Locale.ROOT)) {
            case "CRC32" -> true;
            case "NONE" -> false;
            default -> throw new DumpFailure("@" + variable + " is '" + algorithm + "', which is not a binlog checksum"
                    + " algorithm; use CRC32 (or NONE to receive the first fake rotate event without checksum)");
        };
    }

    /** @source_heartbeat_period / @master_heartbeat_period, in nanoseconds as replicas send it; 0: none. */
    private static long heartbeatPeriod(Session session) {
        String period = session.userVariable("source_heartbeat_period");
        if (period == null) {
            period = session.userVariable("master_heartbeat_period");
        }
        if (period == null) {
            return 0;
        }
        try {
            return Math.max(0, new BigDecimal(period.strip()).longValue());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private ByteBuf readFormatDescription(BinlogEventReader in) throws IOException, DumpFailure {
        if (!in.next() || in.eventType() != EventType.FORMAT_DESCRIPTION) {
            throw new DumpFailure("Could not find format_description_event in binlog file " + in.file());
        }
        return eventPacket(in);
    }

    /**
     * A replica starting inside a file must not advance its position by the FDE that is sent again, nor see the
     * "created" mark (which makes it drop temporary tables): MySQL zeroes both and re-checksums.
     */
    private static void clearLogPos(ByteBuf packet) {
        int event = 1;
        int size = packet.readableBytes() - event;
        packet.setIntLE(event + LOG_POS_OFFSET, 0);
        packet.setIntLE(event + FDE_CREATED_OFFSET, 0);
        CRC32 crc = new CRC32();
        crc.update(packet.nioBuffer(event, size - EventHeader.CHECKSUM_LENGTH));
        packet.setIntLE(event + size - EventHeader.CHECKSUM_LENGTH, (int) crc.getValue());
    }

    /** Reads up to a batch of events; a fake ROTATE goes before the first event of each further file. */
    private long fill(List<ByteBuf> batch) throws IOException {
        long bytes = 0;
        while (bytes < BATCH_BYTES) {
            if (!holdsEvent && !reader.next()) {
                break;
            }
            holdsEvent = false;
            if (!reader.file().equals(file)) {
                file = reader.file();
                batch.add(fakeRotate(file, FIRST_EVENT_POSITION, true));
            }
            batch.add(eventPacket(reader));
            bytes += reader.eventSize();
        }
        return bytes;
    }

    private ByteBuf eventPacket(BinlogEventReader in) {
        ByteBuf packet = context.alloc().buffer(1 + in.eventSize());
        packet.writeByte(0);
        packet.writeBytes(in.buffer(), in.eventOffset(), in.eventSize());
        return packet;
    }

    private ByteBuf fakeRotate(String nextFile, long position, boolean checksummed) {
        scratch.reset(0);
        RotateEventEncoder.writeArtificial(scratch, dumps.serverId(), nextFile, position);
        int length = scratch.length();
        if (!checksummed) {
            length -= EventHeader.CHECKSUM_LENGTH;
            scratch.putInt32(EVENT_SIZE_OFFSET, length);
        }
        ByteBuf packet = context.alloc().buffer(1 + length);
        return packet.writeByte(0).writeBytes(scratch.array(), 0, length);
    }

    private ByteBuf heartbeat() {
        scratch.reset(0);
        HeartbeatEventEncoder.write(scratch, dumps.serverId(), file, reader.nextPosition());
        ByteBuf packet = context.alloc().buffer(1 + scratch.length());
        return packet.writeByte(0).writeBytes(scratch.array(), 0, scratch.length());
    }

    private BinlogPosition position() {
        return new BinlogPosition(reader.file(), reader.nextPosition());
    }

    private String where() {
        return reader == null ? "" : "; the last event read ends at " + reader.file() + ":" + reader.nextPosition();
    }

    // ---- handing over and waiting -----------------------------------------------------------------------------

    /** Writes the batch on the event loop; then reads on, or waits until the connection drains. */
    private void deliver(List<ByteBuf> batch, long eventBytes) {
        try {
            channel.eventLoop().execute(() -> write(batch, eventBytes));
        } catch (RejectedExecutionException serverClosing) {
            release(batch);
            end();
        }
    }

    private void write(List<ByteBuf> batch, long eventBytes) {
        if (!channel.isActive()) {
            release(batch);
            closed = true; // (its close listener may not have run yet)
            submit(); // still RUNNING: the task sees the closed connection and ends
            return;
        }
        for (ByteBuf packet : batch) {
            context.write(packet);
        }
        ChannelOutboundBuffer queue = channel.unsafe().outboundBuffer();
        dumps.metrics().sent(eventBytes, queue == null ? 0 : queue.totalPendingWriteBytes());
        context.flush();
        lastSentNanos = System.nanoTime();
        if (channel.isWritable()) {
            submit();
            return;
        }
        state.set(State.WAIT_WRITABLE);
        context.whenWritable(() -> resume(State.WAIT_WRITABLE));
        if (closed) {
            resume(State.WAIT_WRITABLE);
        }
    }

    /** Caught up: wait for the next transaction, a heartbeat, or the end of the connection. */
    private void awaitData() {
        long wait = ++waitNumber;
        state.set(State.WAIT_DATA);
        dumps.tail().await(this);
        if (heartbeatNanos > 0) {
            long delay = Math.max(0, lastSentNanos + heartbeatNanos - System.nanoTime());
            try {
                heartbeatTimer = channel.eventLoop().schedule(() -> heartbeatTime(wait), delay, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException serverClosing) {
                // the connection is being closed: onClose resumes the stream
            }
        }
        // An append between the last read and the registration above woke nobody: look once more.
        if (closed || dumps.binlog().endPosition().compareTo(position()) > 0) {
            newData();
        }
    }

    /** Called by the {@link TailSignal} when a transaction was appended. */
    void newData() {
        if (state.compareAndSet(State.WAIT_DATA, State.RUNNING)) {
            dumps.tail().cancel(this);
            cancelHeartbeatTimer();
            submit();
        }
    }

    private void heartbeatTime(long wait) {
        if (wait == waitNumber && state.compareAndSet(State.WAIT_DATA, State.RUNNING)) {
            dumps.tail().cancel(this);
            heartbeatDue = true;
            submit();
        }
    }

    private void resume(State from) {
        if (state.compareAndSet(from, State.RUNNING)) {
            submit();
        }
    }

    private void onClose() {
        closed = true;
        resume(State.WAIT_WRITABLE);
        newData();
    }

    private void submit() {
        try {
            dumps.readers().execute(this);
        } catch (RejectedExecutionException serverClosing) {
            end();
        }
    }

    private void cancelHeartbeatTimer() {
        ScheduledFuture<?> timer = heartbeatTimer;
        if (timer != null) {
            timer.cancel(false);
        }
    }

    // ---- ending -----------------------------------------------------------------------------------------------

    /** BINLOG_DUMP_NON_BLOCK: EOF at the end of the binlog, then, as on MySQL, the connection ends. */
    private void endOfStream() {
        end();
        onEventLoop(() -> {
            ByteBuf eof = context.alloc().buffer(5);
            new EofPacket(0, ServerStatus.AUTOCOMMIT).encode(eof);
            context.writeAndFlush(eof).addListener(ChannelFutureListener.CLOSE);
        });
    }

    /** ERR 1236 to the replica, which shows it as its IO thread's error; a dump connection ends with its dump. */
    private void fail(DumpFailure failure) {
        end();
        log.info("binlog dump of replica server_id {} from {} ends: {}", request.replicaServerId(),
                context.session().remoteHost(), failure.getMessage());
        QueryResult.Error error = failure.toError();
        onEventLoop(() -> {
            context.write(error).addListener(ChannelFutureListener.CLOSE);
            context.flush();
        });
    }

    private void onEventLoop(Runnable task) {
        try {
            channel.eventLoop().execute(task);
        } catch (RejectedExecutionException serverClosing) {
            // the server is closing every connection anyway
        }
    }

    /** Frees what the stream holds; runs once, by the task that holds the stream. */
    private void end() {
        state.set(State.DONE);
        if (ended) {
            return;
        }
        ended = true;
        dumps.tail().cancel(this);
        cancelHeartbeatTimer();
        dumps.metrics().ended();
        if (reader != null) {
            try {
                reader.close();
            } catch (IOException e) {
                log.warn("closing the binlog reader of connection {}: {}", context.session().connectionId(), e.toString());
            }
        }
    }

    private static void release(List<ByteBuf> batch) {
        batch.forEach(ReferenceCountUtil::release);
        batch.clear();
    }

    private static void release(ByteBuf packet) {
        ReferenceCountUtil.release(packet);
    }
}
