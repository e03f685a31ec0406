package io.gbinlog.protocol.server;

import io.netty.buffer.ByteBuf;

/**
 * Handles one command byte the server does not handle itself (COM_REGISTER_SLAVE, COM_BINLOG_DUMP, ...).
 * Registered with {@link MysqlServer.Builder#command(int, CommandHandler)}.
 *
 * <p>Called on the connection's I/O thread. {@code body} is the payload after the command byte; it is
 * released when this method returns, so copy what must outlive the call. The command is over when this
 * method returns, unless it called {@link CommandContext#startStreaming()}. A
 * {@link io.gbinlog.protocol.packet.MalformedPacketException} closes the connection (after an ERR packet);
 * any other exception becomes an ERR packet (1105) and the connection goes on.
 */
@FunctionalInterface
public interface CommandHandler {

    void handle(CommandContext context, ByteBuf body) throws Exception;
}
