package io.gbinlog.protocol.server;

import io.gbinlog.protocol.packet.ColumnDefinition41;
import io.gbinlog.protocol.packet.EofPacket;
import io.gbinlog.protocol.packet.ErrPacket;
import io.gbinlog.protocol.packet.OkPacket;
import io.gbinlog.protocol.packet.PacketBuffers;
import io.gbinlog.protocol.packet.ServerStatus;
import io.gbinlog.protocol.packet.TextRow;
import io.gbinlog.protocol.query.Column;
import io.gbinlog.protocol.query.QueryResult;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOutboundInvoker;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Turns a {@link QueryResult} into its packets: OK, ERR, or a text result set ended by classic EOFs. */
final class Replies {

    /** Nothing here is transactional: every session is always in autocommit mode. */
    private static final int STATUS = ServerStatus.AUTOCOMMIT;

    private Replies() {
    }

    /** Writes (without flushing) the packets of {@code result}; the future completes with the last one. */
    static ChannelFuture write(ChannelOutboundInvoker out, ByteBufAllocator alloc, QueryResult result) {
        return write(out, alloc, result, false);
    }

    /**
     * As {@link #write(ChannelOutboundInvoker, ByteBufAllocator, QueryResult)}, for one statement of a
     * multi-statement batch: {@code moreResults} marks that another statement's result follows.
     */
    static ChannelFuture write(ChannelOutboundInvoker out, ByteBufAllocator alloc, QueryResult result,
            boolean moreResults) {
        int status = moreResults ? STATUS | ServerStatus.MORE_RESULTS_EXISTS : STATUS;
        if (result instanceof QueryResult.Ok ok) {
            return out.write(ok(alloc, ok, status));
        }
        if (result instanceof QueryResult.Error error) {
            return out.write(error(alloc, error));
        }
        return writeResultSet(out, alloc, (QueryResult.ResultSet) result, status);
    }

    static ByteBuf ok(ByteBufAllocator alloc, QueryResult.Ok ok) {
        return ok(alloc, ok, STATUS);
    }

    private static ByteBuf ok(ByteBufAllocator alloc, QueryResult.Ok ok, int status) {
        ByteBuf buf = alloc.buffer();
        new OkPacket(ok.affectedRows(), ok.lastInsertId(), status, 0, ok.info()).encode(buf);
        return buf;
    }

    /** The EOF packet that answers COM_SET_OPTION, as MySQL sends it to clients without CLIENT_DEPRECATE_EOF. */
    static ByteBuf eof(ByteBufAllocator alloc) {
        return eof(alloc, STATUS);
    }

    static ByteBuf error(ByteBufAllocator alloc, QueryResult.Error error) {
        ByteBuf buf = alloc.buffer();
        new ErrPacket(error.code(), error.sqlState(), error.message()).encode(buf);
        return buf;
    }

    private static ChannelFuture writeResultSet(ChannelOutboundInvoker out, ByteBufAllocator alloc,
            QueryResult.ResultSet resultSet, int status) {
        ByteBuf count = alloc.buffer(9);
        PacketBuffers.writeLengthEncodedInt(count, resultSet.columns().size());
        out.write(count);
        for (Column column : resultSet.columns()) {
            ByteBuf buf = alloc.buffer();
            new ColumnDefinition41("", "", column.name(), column.type()).encode(buf);
            out.write(buf);
        }
        out.write(eof(alloc, status));
        for (List<Object> row : resultSet.rows()) {
            List<byte[]> values = new ArrayList<>(row.size());
            for (Object value : row) {
                values.add(text(value));
            }
            ByteBuf buf = alloc.buffer();
            new TextRow(values).encode(buf);
            out.write(buf);
        }
        return out.write(eof(alloc, status));
    }

    private static ByteBuf eof(ByteBufAllocator alloc, int status) {
        ByteBuf buf = alloc.buffer(5);
        new EofPacket(0, status).encode(buf);
        return buf;
    }

    private static byte[] text(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof byte[] bytes) {
            return bytes;
        }
        if (value instanceof Boolean bool) {
            return bool ? new byte[] {'1'} : new byte[] {'0'};
        }
        return value.toString().getBytes(StandardCharsets.UTF_8);
    }
}
