package io.gbinlog.protocol.packet;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import java.util.List;

/**
 * Frames each outbound {@link ByteBuf} (one logical packet's payload) into physical packets with the
 * connection's next sequence ids. A payload of 0xFFFFFF bytes or more is split into 0xFFFFFF-byte chunks,
 * ended by a shorter (possibly empty) one. Payload bytes are sliced, never copied.
 */
public final class PacketEncoder extends MessageToMessageEncoder<ByteBuf> {

    private final PacketSequence sequence;

    public PacketEncoder(PacketSequence sequence) {
        super(ByteBuf.class);
        this.sequence = sequence;
    }

    @Override
    protected void encode(ChannelHandlerContext ctx, ByteBuf payload, List<Object> out) {
        int index = payload.readerIndex();
        int remaining = payload.readableBytes();
        while (true) {
            int length = Math.min(remaining, PacketDecoder.MAX_CHUNK);
            ByteBuf header = ctx.alloc().buffer(PacketDecoder.HEADER_SIZE);
            header.writeMediumLE(length).writeByte(sequence.takeOutbound());
            out.add(header);
            if (length > 0) {
                out.add(payload.retainedSlice(index, length));
            }
            index += length;
            remaining -= length;
            if (length < PacketDecoder.MAX_CHUNK) {
                return;
            }
        }
    }
}
