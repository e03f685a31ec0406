package io.gbinlog.protocol.packet;

/** A packet whose content does not match its message layout (truncated, bad length, garbage). */
public class MalformedPacketException extends RuntimeException {

    public MalformedPacketException(String message) {
        super(message);
    }
}
