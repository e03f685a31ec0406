package io.gbinlog.protocol.server;

import io.gbinlog.protocol.packet.PacketOutOfOrderException;
import io.gbinlog.protocol.packet.PacketTooLargeException;
import io.gbinlog.protocol.query.QueryResult;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Last in every pipeline: whatever breaks a connection's byte stream (bad framing, an out-of-order or
 * oversized packet, a reset socket) closes that connection, after telling the client why when it still
 * can. Other connections never notice.
 */
@Sharable
final class ConnectionErrorHandler extends ChannelInboundHandlerAdapter {

    static final ConnectionErrorHandler INSTANCE = new ConnectionErrorHandler();

    private static final Logger log = LoggerFactory.getLogger(ConnectionErrorHandler.class);

    private ConnectionErrorHandler() {
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable problem = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        QueryResult.Error error = null;
        if (problem instanceof PacketTooLargeException) {
            error = ServerErrors.packetTooLarge();
        } else if (problem instanceof PacketOutOfOrderException) {
            error = ServerErrors.packetsOutOfOrder();
        }
        if (error != null) {
            log.debug("closing connection from {}: {}", ctx.channel().remoteAddress(), problem.getMessage());
            ctx.writeAndFlush(Replies.error(ctx.alloc(), error)).addListener(ChannelFutureListener.CLOSE);
        } else if (problem instanceof IOException) {
            log.debug("connection from {} failed: {}", ctx.channel().remoteAddress(), problem.toString());
            ctx.close();
        } else {
            log.warn("closing connection from {} after an unexpected error", ctx.channel().remoteAddress(), problem);
            ctx.close();
        }
    }
}
