package io.gbinlog.protocol.packet;

import io.netty.buffer.ByteBuf;

/** The classic EOF_Packet that ends column definitions and rows (CLIENT_DEPRECATE_EOF is never offered). */
public record EofPacket(int warnings, int statusFlags) {

    private static final int HEADER = 0xFE;

    public void encode(ByteBuf out) {
        out.writeByte(HEADER);
        out.writeShortLE(warnings);
        out.writeShortLE(statusFlags);
    }
}
