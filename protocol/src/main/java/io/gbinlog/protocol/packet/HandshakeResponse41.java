package io.gbinlog.protocol.packet;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * The client's answer to the greeting (Protocol::HandshakeResponse41). {@code database} and
 * {@code authPluginName} are null when the client did not send them. Connection attributes are skipped:
 * nothing here uses them.
 */
public record HandshakeResponse41(int capabilities, int maxPacketSize, int characterSet, String user,
        byte[] authResponse, String database, String authPluginName) {

    private static final int FIXED_PART = 4 + 4 + 1 + 23;

    public static HandshakeResponse41 decode(ByteBuf in) {
        PacketBuffers.require(in, FIXED_PART, "handshake response header");
        int capabilities = in.readIntLE();
        if ((capabilities & Capabilities.PROTOCOL_41) == 0) {
            throw new MalformedPacketException("client does not speak protocol 4.1");
        }
        int maxPacketSize = in.readIntLE();
        int characterSet = in.readUnsignedByte();
        in.skipBytes(23);
        String user = PacketBuffers.readNulTerminatedString(in);
        byte[] authResponse;
        if ((capabilities & Capabilities.PLUGIN_AUTH_LENENC_CLIENT_DATA) != 0) {
            authResponse = PacketBuffers.readLengthEncodedBytes(in);
        } else if ((capabilities & Capabilities.SECURE_CONNECTION) != 0) {
            PacketBuffers.require(in, 1, "auth response length");
            int length = in.readUnsignedByte();
            PacketBuffers.require(in, length, "auth response");
            authResponse = new byte[length];
            in.readBytes(authResponse);
        } else {
            authResponse = PacketBuffers.readNulTerminatedString(in).getBytes(StandardCharsets.ISO_8859_1);
        }
        String database = null;
        if ((capabilities & Capabilities.CONNECT_WITH_DB) != 0 && in.isReadable()) {
            database = PacketBuffers.readNulTerminatedOrRestString(in);
        }
        String plugin = null;
        if ((capabilities & Capabilities.PLUGIN_AUTH) != 0 && in.isReadable()) {
            plugin = PacketBuffers.readNulTerminatedOrRestString(in);
        }
        in.skipBytes(in.readableBytes());
        return new HandshakeResponse41(capabilities, maxPacketSize, characterSet, user, authResponse,
                database == null || database.isEmpty() ? null : database, plugin);
    }
}
