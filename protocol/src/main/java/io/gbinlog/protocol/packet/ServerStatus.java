package io.gbinlog.protocol.packet;

/** Server status flags carried by OK and EOF packets and the handshake. */
public final class ServerStatus {

    public static final int AUTOCOMMIT = 0x0002;
    /** Another result of the same multi-statement batch follows this one. */
    public static final int MORE_RESULTS_EXISTS = 0x0008;

    private ServerStatus() {
    }
}
