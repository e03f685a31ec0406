package io.gbinlog.protocol.packet;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Reads and writes the primitive field encodings of the MySQL protocol: length-encoded integers and
 * strings, NUL-terminated strings. Every read checks the bytes are there, so a truncated packet fails
 * with {@link MalformedPacketException} instead of an index error deep in Netty.
 */
public final class PacketBuffers {

    /** First byte of a length-encoded integer announcing SQL NULL in a text row. */
    public static final int NULL_MARKER = 0xFB;

    private PacketBuffers() {
    }

    public static long readLengthEncodedInt(ByteBuf buf) {
        require(buf, 1, "length-encoded integer");
        int first = buf.readUnsignedByte();
        if (first < 0xFB) {
            return first;
        }
        return switch (first) {
            case 0xFC -> {
                require(buf, 2, "length-encoded integer");
                yield buf.readUnsignedShortLE();
            }
            case 0xFD -> {
                require(buf, 3, "length-encoded integer");
                yield buf.readUnsignedMediumLE();
            }
            case 0xFE -> {
                require(buf, 8, "length-encoded integer");
                yield buf.readLongLE();
            }
            default -> throw new MalformedPacketException(
                    String.format("invalid first byte 0x%02X of a length-encoded integer", first));
        };
    }

    public static void writeLengthEncodedInt(ByteBuf buf, long value) {
        if (value < 0) {
            buf.writeByte(0xFE).writeLongLE(value); // values >= 2^63 travel as their two's complement
        } else if (value < 0xFB) {
            buf.writeByte((int) value);
        } else if (value < (1 << 16)) {
            buf.writeByte(0xFC).writeShortLE((int) value);
        } else if (value < (1 << 24)) {
            buf.writeByte(0xFD).writeMediumLE((int) value);
        } else {
            buf.writeByte(0xFE).writeLongLE(value);
        }
    }

    public static byte[] readLengthEncodedBytes(ByteBuf buf) {
        long length = readLengthEncodedInt(buf);
        if (length > buf.readableBytes() || length < 0) {
            throw new MalformedPacketException("length-encoded string of " + length + " bytes but only "
                    + buf.readableBytes() + " bytes left in the packet");
        }
        byte[] bytes = new byte[(int) length];
        buf.readBytes(bytes);
        return bytes;
    }

    public static void writeLengthEncodedBytes(ByteBuf buf, byte[] bytes) {
        writeLengthEncodedInt(buf, bytes.length);
        buf.writeBytes(bytes);
    }

    public static void writeLengthEncodedString(ByteBuf buf, String value) {
        writeLengthEncodedBytes(buf, value.getBytes(StandardCharsets.UTF_8));
    }

    public static String readNulTerminatedString(ByteBuf buf) {
        int end = buf.indexOf(buf.readerIndex(), buf.writerIndex(), (byte) 0);
        if (end < 0) {
            throw new MalformedPacketException("NUL-terminated string without its terminating NUL");
        }
        String value = buf.toString(buf.readerIndex(), end - buf.readerIndex(), StandardCharsets.UTF_8);
        buf.readerIndex(end + 1);
        return value;
    }

    /** Some clients omit the NUL after the last string of a packet; MySQL accepts that, and so do we. */
    public static String readNulTerminatedOrRestString(ByteBuf buf) {
        int end = buf.indexOf(buf.readerIndex(), buf.writerIndex(), (byte) 0);
        if (end < 0) {
            return readRestString(buf);
        }
        return readNulTerminatedString(buf);
    }

    public static void writeNulTerminatedString(ByteBuf buf, String value) {
        buf.writeCharSequence(value, StandardCharsets.UTF_8);
        buf.writeByte(0);
    }

    public static String readRestString(ByteBuf buf) {
        String value = buf.toString(StandardCharsets.UTF_8);
        buf.skipBytes(buf.readableBytes());
        return value;
    }

    public static void require(ByteBuf buf, int bytes, String field) {
        if (buf.readableBytes() < bytes) {
            throw new MalformedPacketException(field + " needs " + bytes + " bytes but only "
                    + buf.readableBytes() + " are left in the packet");
        }
    }
}
