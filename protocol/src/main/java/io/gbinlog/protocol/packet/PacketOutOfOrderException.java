package io.gbinlog.protocol.packet;

/** The peer sent a packet whose sequence id is not the expected one: the stream cannot be trusted any more. */
public final class PacketOutOfOrderException extends MalformedPacketException {

    public PacketOutOfOrderException(int expected, int actual) {
        super("packet sequence id " + actual + " where " + expected + " was expected");
    }
}
