package io.gbinlog.protocol.packet;

/** Server status flags carried by OK and EOF packets and the handshake. */
public final class ServerStatus {

    public static final int AUTOCOMMIT = 0x0002;

    private ServerStatus() {
    }
}
