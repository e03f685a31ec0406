package io.gbinlog.protocol.packet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PacketCodecTest {

    private static final int MAX_CHUNK = 0xFFFFFF;
    private static final long SEED = Long.getLong("gbinlog.test.seed", System.nanoTime());

    static {
        System.out.println("PacketCodecTest seed " + SEED + " (-Dgbinlog.test.seed=" + SEED + " reproduces)");
    }

    private static byte[] randomBytes(int length) {
        byte[] bytes = new byte[length];
        new Random(SEED + length).nextBytes(bytes);
        return bytes;
    }

    /** Physical packets (length, sequence id, payload) the encoder produced. */
    private record Frame(int length, int sequenceId, byte[] payload) {
    }

    private static List<Frame> frames(ByteBuf wire) {
        List<Frame> frames = new ArrayList<>();
        while (wire.isReadable()) {
            int length = wire.readUnsignedMediumLE();
            int sequenceId = wire.readUnsignedByte();
            frames.add(new Frame(length, sequenceId, ByteBufUtil.getBytes(wire.readSlice(length))));
        }
        return frames;
    }

    private static ByteBuf encode(PacketSequence sequence, byte[]... payloads) {
        EmbeddedChannel channel = new EmbeddedChannel(new PacketEncoder(sequence));
        for (byte[] payload : payloads) {
            channel.writeOutbound(Unpooled.wrappedBuffer(payload));
        }
        ByteBuf wire = Unpooled.buffer();
        ByteBuf part;
        while ((part = channel.readOutbound()) != null) {
            wire.writeBytes(part);
            part.release();
        }
        channel.finishAndReleaseAll();
        return wire;
    }

    @Test
    void splitsPayloadsOf16MegabytesAndMoreIntoNumberedChunks() {
        byte[] payload = randomBytes(2 * MAX_CHUNK + 1000);
        List<Frame> frames = frames(encode(new PacketSequence(), payload));

        assertEquals(3, frames.size());
        assertEquals(List.of(MAX_CHUNK, MAX_CHUNK, 1000), frames.stream().map(Frame::length).toList());
        assertEquals(List.of(0, 1, 2), frames.stream().map(Frame::sequenceId).toList());
        ByteBuf joined = Unpooled.buffer();
        frames.forEach(frame -> joined.writeBytes(frame.payload()));
        assertArrayEquals(payload, ByteBufUtil.getBytes(joined));
    }

    @Test
    void endsAPayloadOfExactlyTheChunkSizeWithAnEmptyPacket() {
        List<Frame> frames = frames(encode(new PacketSequence(), new byte[MAX_CHUNK], new byte[] {7}));

        assertEquals(List.of(MAX_CHUNK, 0, 1), frames.stream().map(Frame::length).toList());
        assertEquals(List.of(0, 1, 2), frames.stream().map(Frame::sequenceId).toList());
    }

    @Test
    void sequenceIdsWrapAfter255() {
        byte[][] payloads = new byte[300][];
        for (int i = 0; i < payloads.length; i++) {
            payloads[i] = new byte[] {(byte) i};
        }
        List<Frame> frames = frames(encode(new PacketSequence(), payloads));

        assertEquals(255, frames.get(255).sequenceId());
        assertEquals(0, frames.get(256).sequenceId());
        assertEquals(299 - 256, frames.get(299).sequenceId());
    }

    @Test
    void joinsChunksIntoOnePacketEvenWhenBytesArriveInPieces() {
        byte[] payload = randomBytes(MAX_CHUNK + 5000);
        PacketSequence sequence = new PacketSequence();
        sequence.enterCommandPhase();
        ByteBuf wire = encode(new PacketSequence(), payload);
        EmbeddedChannel channel = new EmbeddedChannel(new PacketDecoder(sequence, 64 << 20));
        while (wire.isReadable()) { // uneven pieces, splitting headers too
            channel.writeInbound(wire.readRetainedSlice(Math.min(wire.readableBytes(), 1_000_003)));
        }
        wire.release();

        MysqlPacket big = channel.readInbound();
        assertEquals(1, big.sequenceId(), "the reply continues after the last chunk");
        assertArrayEquals(payload, ByteBufUtil.getBytes(big.payload()));
        big.release();
        assertNull(channel.readInbound());
        channel.finishAndReleaseAll();
    }

    @Test
    void decodesAPayloadOfExactlyTheChunkSize() {
        PacketSequence sequence = new PacketSequence();
        sequence.enterCommandPhase();
        EmbeddedChannel channel = new EmbeddedChannel(new PacketDecoder(sequence, 64 << 20));
        channel.writeInbound(encode(new PacketSequence(), new byte[MAX_CHUNK]));

        MysqlPacket packet = channel.readInbound();
        assertEquals(MAX_CHUNK, packet.payload().readableBytes());
        assertEquals(1, packet.sequenceId());
        packet.release();
        channel.finishAndReleaseAll();
    }

    @Test
    void rejectsAnOutOfOrderPacketFromItsHeader() {
        PacketSequence sequence = new PacketSequence();
        sequence.enterCommandPhase();
        EmbeddedChannel channel = new EmbeddedChannel(new PacketDecoder(sequence, 1 << 20));
        ByteBuf header = Unpooled.buffer().writeMediumLE(100).writeByte(7); // payload never sent

        DecoderException e = assertThrows(DecoderException.class, () -> channel.writeInbound(header));
        assertInstanceOf(PacketOutOfOrderException.class, e.getCause());
        channel.finishAndReleaseAll();
    }

    @Test
    void rejectsAnOversizedPacketBeforeBufferingIt() {
        PacketSequence sequence = new PacketSequence();
        sequence.enterCommandPhase();
        EmbeddedChannel channel = new EmbeddedChannel(new PacketDecoder(sequence, 1 << 20));
        ByteBuf header = Unpooled.buffer().writeMediumLE((1 << 20) + 1).writeByte(0);

        DecoderException e = assertThrows(DecoderException.class, () -> channel.writeInbound(header));
        assertInstanceOf(PacketTooLargeException.class, e.getCause());
        channel.finishAndReleaseAll();
    }

    @Test
    void lengthEncodedIntegersRoundTripAtEveryWidth() {
        long[] values = {0, 250, 251, 0xFFFF, 0x10000, 0xFFFFFF, 0x1000000, Long.MAX_VALUE, -1};
        int[] sizes = {1, 1, 3, 3, 4, 4, 9, 9, 9};
        for (int i = 0; i < values.length; i++) {
            ByteBuf buf = Unpooled.buffer();
            PacketBuffers.writeLengthEncodedInt(buf, values[i]);
            assertEquals(sizes[i], buf.readableBytes(), "size of " + values[i]);
            assertEquals(values[i], PacketBuffers.readLengthEncodedInt(buf));
        }
    }

    @Test
    void truncatedFieldsAreMalformedNotIndexErrors() {
        ByteBuf buf = Unpooled.buffer().writeByte(0xFC).writeByte(1);
        assertThrows(MalformedPacketException.class, () -> PacketBuffers.readLengthEncodedInt(buf));
        ByteBuf string = Unpooled.buffer().writeByte(10).writeBytes(new byte[3]);
        assertThrows(MalformedPacketException.class, () -> PacketBuffers.readLengthEncodedBytes(string));
        ByteBuf unterminated = Unpooled.wrappedBuffer(new byte[] {'a', 'b'});
        assertThrows(MalformedPacketException.class, () -> PacketBuffers.readNulTerminatedString(unterminated));
    }
}
