package io.gbinlog.protocol.packet;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** Failure of a command (ERR_Packet, protocol 4.1: with the '#' SQLSTATE marker). */
public record ErrPacket(int errorCode, String sqlState, String message) {

    private static final int HEADER = 0xFF;

    public ErrPacket {
        if (sqlState.length() != 5) {
            throw new IllegalArgumentException("SQLSTATE must have 5 characters, got '" + sqlState + "'");
        }
    }

    public void encode(ByteBuf out) {
        out.writeByte(HEADER);
        out.writeShortLE(errorCode);
        out.writeByte('#');
        out.writeCharSequence(sqlState, StandardCharsets.US_ASCII);
        out.writeCharSequence(message, StandardCharsets.UTF_8);
    }
}
