package io.gbinlog.protocol.server;

import io.gbinlog.protocol.packet.Commands;
import io.gbinlog.protocol.packet.MalformedPacketException;
import io.gbinlog.protocol.packet.MysqlPacket;
import io.gbinlog.protocol.packet.PacketSequence;
import io.gbinlog.protocol.query.QueryResult;
import io.gbinlog.protocol.query.Session;
import io.gbinlog.protocol.query.StatementSplitter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The command phase of one connection: runs each command in arrival order and answers it. COM_QUERY goes
 * to the session statements, then to the application's query handler, statement by statement when the
 * client enabled multi-statements; COM_PING, COM_INIT_DB, COM_SET_OPTION and COM_QUIT are handled here; other command bytes go to registered {@link CommandHandler}s, and unknown ones get
 * ERR 1047 with the connection left open. Replies are flushed once per read batch, so pipelined commands
 * share one flush.
 */
final class CommandDispatcher extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(CommandDispatcher.class);

    private final ServerConfig config;
    private final PacketSequence sequence;
    private final Session session;
    /** Commands that arrived while a streaming command held the connection. */
    private final Queue<MysqlPacket> waiting = new ArrayDeque<>();
    private final Queue<Runnable> writableTasks = new ArrayDeque<>();
    private ChannelHandlerContext ctx;
    private Running streaming;
    /** Set once the connection is being closed: later packets are dropped unanswered. */
    private boolean closing;
    /** CLIENT_MULTI_STATEMENTS, from the handshake, switched by COM_SET_OPTION. */
    private boolean multiStatements;

    CommandDispatcher(ServerConfig config, PacketSequence sequence, Session session, boolean multiStatements) {
        this.config = config;
        this.sequence = sequence;
        this.session = session;
        this.multiStatements = multiStatements;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        MysqlPacket packet = (MysqlPacket) msg;
        if (closing) {
            packet.release();
            return;
        }
        if (streaming != null) {
            waiting.add(packet);
            ctx.channel().config().setAutoRead(false); // back-pressure on the client until the stream ends
            return;
        }
        execute(packet);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
        ctx.fireChannelReadComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        while (channel.isWritable() && !writableTasks.isEmpty()) {
            writableTasks.poll().run();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        MysqlPacket packet;
        while ((packet = waiting.poll()) != null) {
            packet.release();
        }
        writableTasks.clear();
        ctx.fireChannelInactive();
    }

    private void execute(MysqlPacket packet) {
        try {
            sequence.replyTo(packet);
            ByteBuf payload = packet.payload();
            if (!payload.isReadable()) {
                throw new MalformedPacketException("empty command packet");
            }
            int command = payload.readUnsignedByte();
            switch (command) {
                case Commands.QUIT -> {
                    closing = true;
                    ctx.close();
                }
                case Commands.PING -> reply(QueryResult.ok());
                case Commands.INIT_DB -> initDb(payload);
                case Commands.QUERY -> query(payload);
                case Commands.SET_OPTION -> setOption(payload);
                default -> custom(command, payload);
            }
        } catch (MalformedPacketException e) {
            log.debug("connection {}: malformed packet: {}", session.connectionId(), e.getMessage());
            streaming = null;
            closing = true;
            ctx.writeAndFlush(Replies.error(ctx.alloc(), ServerErrors.malformedPacket()))
                    .addListener(ChannelFutureListener.CLOSE);
        } finally {
            packet.release();
        }
    }

    private void initDb(ByteBuf payload) {
        String schema = payload.toString(StandardCharsets.UTF_8);
        if (schema.isEmpty()) {
            reply(ServerErrors.noDatabaseSelected());
            return;
        }
        if (!config.schemaExists().test(schema)) {
            reply(QueryResult.unknownDatabase(schema));
            return;
        }
        session.schema(schema);
        reply(QueryResult.ok());
    }

    private void query(ByteBuf payload) {
        String sql = payload.toString(StandardCharsets.UTF_8);
        if (!multiStatements) {
            reply(answer(sql));
            return;
        }
        // As MySQL runs a batch: one result per statement, each but the last flagged "more results exist";
        // an error is the batch's last result, the statements after it are not run.
        List<String> statements = StatementSplitter.split(sql);
        for (int i = 0; i < statements.size(); i++) {
            QueryResult result = answer(statements.get(i));
            boolean last = i == statements.size() - 1 || result instanceof QueryResult.Error;
            Replies.write(ctx, ctx.alloc(), result, !last);
            if (last) {
                return;
            }
        }
    }

    private QueryResult answer(String sql) {
        if (log.isDebugEnabled()) {
            log.debug("connection {}: query {}", session.connectionId(), abbreviated(sql));
        }
        try {
            QueryResult result = config.statements().answer(session, sql);
            if (result == null) {
                result = config.queryHandler().handle(session, sql);
            }
            if (result == null) {
                throw new IllegalStateException("the query handler returned no result");
            }
            return result;
        } catch (Exception e) {
            log.warn("connection {}: query handler failed on: {}", session.connectionId(), abbreviated(sql), e);
            return ServerErrors.handlerFailed(e);
        }
    }

    /** COM_SET_OPTION: multi-statements on (0) or off (1), answered with an EOF packet as MySQL does. */
    private void setOption(ByteBuf payload) {
        if (payload.readableBytes() != 2) {
            throw new MalformedPacketException("COM_SET_OPTION needs a 2-byte option, got " + payload.readableBytes());
        }
        switch (payload.readUnsignedShortLE()) {
            case 0 -> multiStatements = true;
            case 1 -> multiStatements = false;
            default -> {
                reply(ServerErrors.unknownCommand());
                return;
            }
        }
        ctx.write(Replies.eof(ctx.alloc()));
    }

    /** Statements can be megabytes long: logs get their beginning. */
    private static String abbreviated(String sql) {
        return sql.length() > QueryResult.QUOTED_SQL_LIMIT ? sql.substring(0, QueryResult.QUOTED_SQL_LIMIT) + "..." : sql;
    }

    private void custom(int command, ByteBuf body) {
        CommandHandler handler = config.commands().get(command);
        if (handler == null) {
            reply(ServerErrors.unknownCommand());
            return;
        }
        Running running = new Running();
        try {
            handler.handle(running, body);
        } catch (MalformedPacketException e) {
            throw e;
        } catch (Exception e) {
            log.warn("connection {}: handler of command 0x{} failed", session.connectionId(), Integer.toHexString(command), e);
            streaming = null;
            reply(ServerErrors.handlerFailed(e));
        }
    }

    private void reply(QueryResult result) {
        Replies.write(ctx, ctx.alloc(), result);
    }

    /** Ends a streaming command on the event loop and runs the commands that waited for it. */
    private void finish(Running running) {
        if (streaming != running) {
            return;
        }
        streaming = null;
        MysqlPacket packet;
        while (streaming == null && !closing && (packet = waiting.poll()) != null) {
            execute(packet);
        }
        ctx.flush();
        if (streaming == null) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /** The context of one command given to a {@link CommandHandler}. */
    private final class Running implements CommandContext {

        @Override
        public Session session() {
            return session;
        }

        @Override
        public ByteBufAllocator alloc() {
            return ctx.alloc();
        }

        @Override
        public Channel channel() {
            return ctx.channel();
        }

        @Override
        public ChannelFuture write(ByteBuf payload) {
            return ctx.write(payload);
        }

        @Override
        public ChannelFuture writeAndFlush(ByteBuf payload) {
            return ctx.writeAndFlush(payload);
        }

        @Override
        public void flush() {
            ctx.flush();
        }

        @Override
        public ChannelFuture write(QueryResult result) {
            if (ctx.executor().inEventLoop()) {
                return Replies.write(ctx, ctx.alloc(), result);
            }
            // the packets of one result must stay together: write them in one task on the event loop
            var promise = ctx.newPromise();
            ctx.executor().execute(() -> Replies.write(ctx, ctx.alloc(), result).addListener(
                    f -> { if (f.isSuccess()) promise.setSuccess(); else promise.setFailure(f.cause()); }));
            return promise;
        }

        @Override
        public boolean isWritable() {
            return ctx.channel().isWritable();
        }

        @Override
        public void whenWritable(Runnable task) {
            if (ctx.executor().isShuttingDown()) {
                return; // the server is closing: the connection will never be writable again
            }
            ctx.executor().execute(() -> {
                if (ctx.channel().isWritable()) {
                    task.run();
                } else if (ctx.channel().isActive()) {
                    writableTasks.add(task);
                }
            });
        }

        @Override
        public void startStreaming() {
            if (!ctx.executor().inEventLoop()) {
                throw new IllegalStateException("startStreaming() must be called from CommandHandler.handle");
            }
            streaming = this;
        }

        @Override
        public void finish() {
            if (!ctx.executor().isShuttingDown()) {
                ctx.executor().execute(() -> CommandDispatcher.this.finish(this)); // never re-entered from handle()
            }
        }
    }
}
