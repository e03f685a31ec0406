package io.gbinlog.protocol.packet;

/** The peer announced a packet larger than the configured maximum; it is refused before it is buffered. */
public final class PacketTooLargeException extends MalformedPacketException {

    public PacketTooLargeException(long size, int maxPacketSize) {
        super("packet of at least " + size + " bytes exceeds the maximum packet size of " + maxPacketSize + " bytes");
    }
}
