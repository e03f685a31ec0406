package io.gbinlog.protocol.packet;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/** Success of a command (OK_Packet, protocol 4.1, without session-state tracking). */
public record OkPacket(long affectedRows, long lastInsertId, int statusFlags, int warnings, String info) {

    private static final int HEADER = 0x00;

    public void encode(ByteBuf out) {
        out.writeByte(HEADER);
        PacketBuffers.writeLengthEncodedInt(out, affectedRows);
        PacketBuffers.writeLengthEncodedInt(out, lastInsertId);
        out.writeShortLE(statusFlags);
        out.writeShortLE(warnings);
        out.writeCharSequence(info, StandardCharsets.UTF_8);
    }
}
