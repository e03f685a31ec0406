package io.gbinlog.dumper.stream;

import io.gbinlog.protocol.packet.MalformedPacketException;
import io.gbinlog.protocol.packet.PacketBuffers;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * A replica's request to stream the binlog: COM_BINLOG_DUMP (file and position) or COM_BINLOG_DUMP_GTID
 * (the GTID set it has executed, optionally with a file and position).
 *
 * @param file            the file to start in, without directory; empty: the first file (or, with GTIDs, as the
 *                        set says)
 * @param position        where in {@code file} to start
 * @param flags           MySQL's dump flags; only {@link #NON_BLOCK} changes anything here
 * @param replicaServerId the replica's server_id; 0 asks not to wait for new events, as mysqlbinlog does
 * @param executed        the replica's executed GTID set, or null for a file/position dump
 */
record DumpRequest(String file, long position, int flags, long replicaServerId, ReplicaGtidSet executed) {

    /** BINLOG_DUMP_NON_BLOCK: send EOF at the end of the binlog instead of waiting for new events. */
    static final int NON_BLOCK = 0x01;

    /** COM_BINLOG_DUMP: position (4), flags (2), server_id (4), file name (rest of the packet). */
    static DumpRequest decodeDump(ByteBuf body) {
        PacketBuffers.require(body, 10, "COM_BINLOG_DUMP");
        long position = body.readUnsignedIntLE();
        int flags = body.readUnsignedShortLE();
        long serverId = body.readUnsignedIntLE();
        String file = PacketBuffers.readRestString(body);
        return new DumpRequest(baseName(file), position, flags, serverId, null);
    }

    /**
     * COM_BINLOG_DUMP_GTID: flags (2), server_id (4), file name length (4), file name, position (8), then the
     * executed set's length (4) and encoding. Clients send the set whether or not they set BINLOG_THROUGH_GTID.
     */
    static DumpRequest decodeDumpGtid(ByteBuf body) {
        PacketBuffers.require(body, 10, "COM_BINLOG_DUMP_GTID");
        int flags = body.readUnsignedShortLE();
        long serverId = body.readUnsignedIntLE();
        long nameLength = body.readUnsignedIntLE();
        PacketBuffers.require(body, (int) Math.min(nameLength + 8, Integer.MAX_VALUE), "COM_BINLOG_DUMP_GTID file name and position");
        String file = body.readCharSequence((int) nameLength, StandardCharsets.UTF_8).toString();
        long position = body.readLongLE();
        ReplicaGtidSet executed = ReplicaGtidSet.empty();
        if (body.isReadable()) {
            PacketBuffers.require(body, 4, "COM_BINLOG_DUMP_GTID data size");
            long size = body.readUnsignedIntLE();
            if (size > body.readableBytes()) {
                throw new MalformedPacketException("COM_BINLOG_DUMP_GTID announces " + size + " bytes of GTID set but "
                        + body.readableBytes() + " follow");
            }
            executed = ReplicaGtidSet.decode(body.readSlice((int) size));
        }
        if (position < 0) {
            throw new MalformedPacketException("COM_BINLOG_DUMP_GTID position " + Long.toUnsignedString(position)
                    + " is beyond any binlog file");
        }
        return new DumpRequest(baseName(file), position, flags, serverId, executed);
    }

    /** As MySQL, a client's directory part is ignored: files are looked up in the binlog index. */
    private static String baseName(String file) {
        return file.substring(file.lastIndexOf('/') + 1);
    }

    /** mysqlbinlog without --stop-never sets the flag; older clients say it with server_id 0 (MySQL honours both). */
    boolean nonBlocking() {
        return (flags & NON_BLOCK) != 0 || replicaServerId == 0;
    }

    @Override
    public String toString() {
        String where = file.isEmpty() ? "first file" : file;
        return (executed != null ? "GTID dump after " + executed + " (" + where + ":" + position + ")" : where + ":" + position)
                + ", server_id " + replicaServerId + (nonBlocking() ? ", non-blocking" : "");
    }
}
