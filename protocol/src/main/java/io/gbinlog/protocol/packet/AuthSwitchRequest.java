package io.gbinlog.protocol.packet;

import io.netty.buffer.ByteBuf;

/** Asks the client to authenticate again with another plugin (Protocol::AuthSwitchRequest). */
public record AuthSwitchRequest(String pluginName, byte[] pluginData) {

    private static final int HEADER = 0xFE;

    public void encode(ByteBuf out) {
        out.writeByte(HEADER);
        PacketBuffers.writeNulTerminatedString(out, pluginName);
        out.writeBytes(pluginData);
        out.writeByte(0); // mysql_native_password data is the scramble followed by a NUL, as in the greeting
    }
}
