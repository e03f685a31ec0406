package io.gbinlog.protocol.packet;

/**
 * The sequence-id state of one connection, shared by its {@link PacketDecoder} and {@link PacketEncoder}.
 * During authentication the client answers with the id after the server's last packet; in the command
 * phase every command starts again at 0 and the reply continues after the command's last packet.
 * Only touched from the connection's event loop.
 */
public final class PacketSequence {

    private int next;
    private boolean commandPhase;

    /** The id the first physical packet of the next inbound message must carry. */
    int expectedInbound() {
        return commandPhase ? 0 : next;
    }

    /** Takes the id for the next outbound physical packet. */
    int takeOutbound() {
        int id = next;
        next = (next + 1) & 0xFF;
        return id;
    }

    /** Makes the next outbound packet the reply to {@code packet}. */
    public void replyTo(MysqlPacket packet) {
        next = (packet.sequenceId() + 1) & 0xFF;
    }

    boolean inCommandPhase() {
        return commandPhase;
    }

    /** After authentication: each inbound message from now on starts a new command with id 0. */
    public void enterCommandPhase() {
        commandPhase = true;
    }
}
