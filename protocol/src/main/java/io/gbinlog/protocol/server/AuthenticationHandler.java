package io.gbinlog.protocol.server;

import io.gbinlog.protocol.auth.NativePassword;
import io.gbinlog.protocol.packet.AuthSwitchRequest;
import io.gbinlog.protocol.packet.Capabilities;
import io.gbinlog.protocol.packet.CharacterSets;
import io.gbinlog.protocol.packet.HandshakeResponse41;
import io.gbinlog.protocol.packet.HandshakeV10;
import io.gbinlog.protocol.packet.MalformedPacketException;
import io.gbinlog.protocol.packet.MysqlPacket;
import io.gbinlog.protocol.packet.PacketSequence;
import io.gbinlog.protocol.packet.ServerStatus;
import io.gbinlog.protocol.query.QueryResult;
import io.gbinlog.protocol.query.Session;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connection phase: greets with a fresh scramble, checks the client's mysql_native_password answer,
 * switches a client that answered with another plugin over to mysql_native_password (as MySQL does), and
 * then hands the connection to a {@link CommandDispatcher}. Any failure is answered with an ERR packet
 * and the connection is closed; a client that does not finish in time is disconnected.
 */
final class AuthenticationHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(AuthenticationHandler.class);

    private enum State { AWAIT_RESPONSE, AWAIT_AUTH_SWITCH, DONE }

    private final ServerConfig config;
    private final PacketSequence sequence;
    private final long connectionId;
    private final byte[] scramble = NativePassword.newScramble();
    private State state = State.AWAIT_RESPONSE;
    private HandshakeResponse41 response;
    private ScheduledFuture<?> timeout;

    AuthenticationHandler(ServerConfig config, PacketSequence sequence, long connectionId) {
        this.config = config;
        this.sequence = sequence;
        this.connectionId = connectionId;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ByteBuf greeting = ctx.alloc().buffer();
        new HandshakeV10(config.serverVersion(), connectionId, scramble, Capabilities.SERVER_DEFAULT,
                CharacterSets.UTF8MB4_GENERAL_CI, ServerStatus.AUTOCOMMIT, NativePassword.PLUGIN_NAME).encode(greeting);
        ctx.writeAndFlush(greeting);
        timeout = ctx.executor().schedule(() -> {
            log.debug("connection {} from {} did not authenticate within {}", connectionId, ctx.channel().remoteAddress(),
                    config.connectTimeout());
            ctx.close();
        }, config.connectTimeout().toMillis(), TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimeout();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        MysqlPacket packet = (MysqlPacket) msg;
        try {
            sequence.replyTo(packet);
            switch (state) {
                case AWAIT_RESPONSE -> onHandshakeResponse(ctx, HandshakeResponse41.decode(packet.payload()));
                case AWAIT_AUTH_SWITCH -> authenticate(ctx, ByteBufUtil.getBytes(packet.payload()));
                case DONE -> { } // the connection is closing after a refusal
            }
        } catch (MalformedPacketException e) {
            log.debug("connection {}: bad handshake: {}", connectionId, e.getMessage());
            refuse(ctx, ServerErrors.badHandshake());
        } finally {
            packet.release();
        }
    }

    private void onHandshakeResponse(ChannelHandlerContext ctx, HandshakeResponse41 response) {
        this.response = response;
        String plugin = response.authPluginName();
        boolean canSwitch = (response.capabilities() & Capabilities.PLUGIN_AUTH) != 0;
        if (plugin != null && !plugin.equals(NativePassword.PLUGIN_NAME) && canSwitch) {
            state = State.AWAIT_AUTH_SWITCH;
            ByteBuf request = ctx.alloc().buffer();
            new AuthSwitchRequest(NativePassword.PLUGIN_NAME, scramble).encode(request);
            ctx.writeAndFlush(request);
            return;
        }
        authenticate(ctx, response.authResponse());
    }

    private void authenticate(ChannelHandlerContext ctx, byte[] token) {
        state = State.DONE;
        String user = response.user();
        String host = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress().getHostAddress();
        if (!config.credentials().verify(user, scramble, token)) {
            log.debug("connection {}: access denied for '{}'@'{}'", connectionId, user, host);
            refuse(ctx, ServerErrors.accessDenied(user, host, token.length > 0));
            return;
        }
        String database = response.database();
        if (database != null && !config.schemaExists().test(database)) {
            refuse(ctx, QueryResult.unknownDatabase(database)); // as MySQL refuses a connection to a missing schema
            return;
        }
        cancelTimeout();
        Session session = new Session(connectionId, user, host);
        session.schema(database);
        sequence.enterCommandPhase();
        ctx.writeAndFlush(Replies.ok(ctx.alloc(), QueryResult.ok()));
        ctx.pipeline().replace(this, "commands", new CommandDispatcher(config, sequence, session,
                (response.capabilities() & Capabilities.MULTI_STATEMENTS) != 0));
        log.debug("connection {}: {} authenticated", connectionId, session);
    }

    private void refuse(ChannelHandlerContext ctx, QueryResult.Error error) {
        state = State.DONE;
        cancelTimeout();
        ctx.writeAndFlush(Replies.error(ctx.alloc(), error)).addListener(ChannelFutureListener.CLOSE);
    }

    private void cancelTimeout() {
        if (timeout != null) {
            timeout.cancel(false);
        }
    }
}
