package io.gbinlog.protocol.packet;

import io.netty.buffer.ByteBuf;

/** Describes one column of a result set (Protocol::ColumnDefinition41). */
public record ColumnDefinition41(String schema, String table, String name, ColumnType type) {

    private static final String CATALOG = "def";
    private static final int FIXED_FIELDS_LENGTH = 0x0C;

    public void encode(ByteBuf out) {
        PacketBuffers.writeLengthEncodedString(out, CATALOG);
        PacketBuffers.writeLengthEncodedString(out, schema);
        PacketBuffers.writeLengthEncodedString(out, table);
        PacketBuffers.writeLengthEncodedString(out, table); // original table
        PacketBuffers.writeLengthEncodedString(out, name);
        PacketBuffers.writeLengthEncodedString(out, name); // original name
        out.writeByte(FIXED_FIELDS_LENGTH);
        out.writeShortLE(type.characterSet());
        out.writeIntLE(type.length());
        out.writeByte(type.code());
        out.writeShortLE(type.flags());
        out.writeByte(type.decimals());
        out.writeZero(2);
    }
}
