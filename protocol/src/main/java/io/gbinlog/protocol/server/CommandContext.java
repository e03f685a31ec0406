package io.gbinlog.protocol.server;

import io.gbinlog.protocol.query.QueryResult;
import io.gbinlog.protocol.query.Session;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;

/**
 * What a {@link CommandHandler} can do with its connection. Every write is one logical packet payload
 * (without header): the codec frames it, numbers it in the command's reply sequence and splits it when it
 * reaches 16 MB. Writes and {@link #finish()} may be called from any thread; a streaming writer keeps
 * memory bounded by honouring {@link #isWritable()} / {@link #whenWritable(Runnable)} (TCP back-pressure).
 */
public interface CommandContext {

    Session session();

    ByteBufAllocator alloc();

    /** The connection itself: its event loop (for timers such as heartbeats) and its close future. */
    Channel channel();

    /** Queues one packet; call {@link #flush()} (or use {@link #writeAndFlush}) to send. */
    ChannelFuture write(ByteBuf payload);

    ChannelFuture writeAndFlush(ByteBuf payload);

    void flush();

    /** Writes the packets of an OK, an ERR or a result set. */
    ChannelFuture write(QueryResult result);

    /** False while the connection's outbound buffer is above its high-water mark: stop writing. */
    boolean isWritable();

    /**
     * Runs {@code task} on the connection's event loop once the connection is writable: at the next turn of
     * the loop if it already is. Never runs if the connection closes first.
     */
    void whenWritable(Runnable task);

    /**
     * Keeps the command running after {@code handle} returns (a binlog dump streams until the replica goes).
     * Packets the client sends meanwhile wait, and reading pauses, until {@link #finish()}.
     */
    void startStreaming();

    /** Ends a streaming command: what was written is flushed and the next command is read. */
    void finish();
}
