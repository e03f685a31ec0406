package io.gbinlog.protocol.packet;

import io.netty.buffer.ByteBuf;

/** The server's greeting (Protocol::HandshakeV10), the first packet of every connection. */
public record HandshakeV10(String serverVersion, long connectionId, byte[] scramble, int capabilities,
        int characterSet, int statusFlags, String authPluginName) {

    private static final int PROTOCOL_VERSION = 10;
    private static final int SCRAMBLE_PART1 = 8;

    public HandshakeV10 {
        if (scramble.length < SCRAMBLE_PART1 + 12) {
            throw new IllegalArgumentException("scramble must have at least 20 bytes, got " + scramble.length);
        }
    }

    public void encode(ByteBuf out) {
        out.writeByte(PROTOCOL_VERSION);
        PacketBuffers.writeNulTerminatedString(out, serverVersion);
        out.writeIntLE((int) connectionId);
        out.writeBytes(scramble, 0, SCRAMBLE_PART1);
        out.writeByte(0);
        out.writeShortLE(capabilities & 0xFFFF);
        out.writeByte(characterSet);
        out.writeShortLE(statusFlags);
        out.writeShortLE(capabilities >>> 16);
        out.writeByte(scramble.length + 1); // length of all auth-plugin data, including the trailing NUL
        out.writeZero(10);
        out.writeBytes(scramble, SCRAMBLE_PART1, scramble.length - SCRAMBLE_PART1);
        out.writeByte(0);
        PacketBuffers.writeNulTerminatedString(out, authPluginName);
    }
}
