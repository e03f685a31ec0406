package io.gbinlog.protocol.packet;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Frames the inbound byte stream into {@link MysqlPacket}s: a 3-byte little-endian payload length and a
 * sequence id per physical packet; a payload of exactly 0xFFFFFF bytes means the message continues in the
 * next physical packet. The sequence id and the announced size are checked from the header alone, so
 * garbage is rejected at once rather than after waiting for megabytes that never come.
 */
public final class PacketDecoder extends ByteToMessageDecoder {

    static final int HEADER_SIZE = 4;
    static final int MAX_CHUNK = 0xFFFFFF;
    /** A 1 GiB message is 64 chunks; the composite must hold them all without consolidating copies. */
    private static final int MAX_COMPONENTS = 1024;

    private final PacketSequence sequence;
    /** A handshake response with every connection attribute a client sends fits easily. */
    static final int MAX_LOGIN_PACKET = 64 * 1024;

    private final int maxPacketSize;
    private CompositeByteBuf partial;
    private int lastSequenceId;
    private boolean failed;

    public PacketDecoder(PacketSequence sequence, int maxPacketSize) {
        this.sequence = sequence;
        this.maxPacketSize = maxPacketSize;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (in.readableBytes() < HEADER_SIZE) {
            return;
        }
        int start = in.readerIndex();
        int length = in.getUnsignedMediumLE(start);
        int sequenceId = in.getUnsignedByte(start + 3);
        int expected = partial != null ? (lastSequenceId + 1) & 0xFF : sequence.expectedInbound();
        long size = (partial != null ? partial.readableBytes() : 0L) + length;
        if (sequenceId != expected) {
            fail(in);
            throw new PacketOutOfOrderException(expected, sequenceId);
        }
        // Before login nobody is trusted with more than a handshake needs: unauthenticated clients
        // must not make the server buffer max_allowed_packet each.
        int limit = sequence.inCommandPhase() ? maxPacketSize : MAX_LOGIN_PACKET;
        if (size > limit) {
            fail(in);
            throw new PacketTooLargeException(size, limit);
        }
        if (in.readableBytes() < HEADER_SIZE + length) {
            return;
        }
        in.skipBytes(HEADER_SIZE);
        ByteBuf chunk = in.readRetainedSlice(length);
        lastSequenceId = sequenceId;
        if (partial == null && length < MAX_CHUNK) {
            out.add(new MysqlPacket(sequenceId, chunk));
            return;
        }
        if (partial == null) {
            partial = ctx.alloc().compositeBuffer(MAX_COMPONENTS);
        }
        partial.addComponent(true, chunk);
        if (length < MAX_CHUNK) {
            out.add(new MysqlPacket(sequenceId, partial));
            partial = null;
        }
    }

    private void fail(ByteBuf in) {
        failed = true;
        in.skipBytes(in.readableBytes());
        releasePartial();
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        releasePartial();
    }

    private void releasePartial() {
        if (partial != null) {
            partial.release();
            partial = null;
        }
    }
}
