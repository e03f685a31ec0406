package io.gbinlog.protocol.packet;

import io.netty.buffer.ByteBuf;
import java.util.List;

/** One row of a text-protocol result set: each value a length-encoded string, or 0xFB for NULL. */
public record TextRow(List<byte[]> values) {

    public void encode(ByteBuf out) {
        for (byte[] value : values) {
            if (value == null) {
                out.writeByte(PacketBuffers.NULL_MARKER);
            } else {
                PacketBuffers.writeLengthEncodedBytes(out, value);
            }
        }
    }
}
