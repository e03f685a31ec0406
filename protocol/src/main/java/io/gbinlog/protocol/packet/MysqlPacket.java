package io.gbinlog.protocol.packet;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;

/**
 * One logical packet received from a client: the payload of all its physical packets joined, and the
 * sequence id of the last of them (the reply continues from there).
 */
public final class MysqlPacket extends DefaultByteBufHolder {

    private final int sequenceId;

    public MysqlPacket(int sequenceId, ByteBuf payload) {
        super(payload);
        this.sequenceId = sequenceId;
    }

    public int sequenceId() {
        return sequenceId;
    }

    public ByteBuf payload() {
        return content();
    }

    @Override
    public String toString() {
        return "MysqlPacket(seq=" + sequenceId + ", " + content().readableBytes() + " bytes)";
    }
}
