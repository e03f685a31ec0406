package io.gbinlog.merger.writer;

import io.gbinlog.protocol.binlog.EventBuffer;
import io.gbinlog.protocol.binlog.EventHeader;
import io.gbinlog.protocol.binlog.EventType;
import io.gbinlog.protocol.binlog.FormatDescriptionEventEncoder;
import io.gbinlog.protocol.binlog.PreviousGtidsEventEncoder;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.UUID;

/**
 * One binlog file and its index. Every file starts with magic, FORMAT_DESCRIPTION and PREVIOUS_GTIDS; the
 * latter tells the GNO its first transaction gets, so the file's index can store GNOs relative to it.
 */
final class Segment {
    final String name;
    final Path path;
    final long baseGno;
    final long headerEnd;
    final SegmentIndex index;
    /** Size once the file is closed by rotation (it never changes after), -1 while it is the active file. */
    volatile long sealedSize = -1;

    Segment(String name, Path path, long baseGno, long headerEnd, SegmentIndex index) {
        this.name = name;
        this.path = path;
        this.baseGno = baseGno;
        this.headerEnd = headerEnd;
        this.index = index;
    }

    /** Encodes the header of a file whose predecessors hold GNOs 1..lastGno. */
    static void writeHeader(EventBuffer out, long timestampSeconds, long serverId, UUID sid, long lastGno) {
        out.reset(0);
        out.writeBytes(EventHeader.MAGIC);
        FormatDescriptionEventEncoder.write(out, timestampSeconds, serverId);
        PreviousGtidsEventEncoder.write(out, timestampSeconds, serverId, sid, lastGno);
    }

    /** Length of the header {@link #writeHeader} writes for {@code lastGno} (the same for every lastGno above 0). */
    static int headerSize(long lastGno) {
        EventBuffer out = new EventBuffer(256);
        writeHeader(out, 0, 1, new UUID(0, 0), lastGno);
        return out.length();
    }

    /** What the header of an existing file says, or null when it is torn or not a global binlog header. */
    record Header(long baseGno, long end) {
    }

    static Header readHeader(FileChannel ch, UUID expectedSid, String name) throws IOException {
        byte[] magic = new byte[4];
        if (ch.read(java.nio.ByteBuffer.wrap(magic), 0) < 4 || !java.util.Arrays.equals(magic, EventHeader.MAGIC)) {
            return null;
        }
        EventFileReader in = new EventFileReader(ch, 4);
        long size = ch.size();
        if (in.next(size) != EventFileReader.Result.EVENT
                || EventHeader.type(in.buffer(), in.eventOffset()) != EventType.FORMAT_DESCRIPTION) {
            return null;
        }
        if (in.next(size) != EventFileReader.Result.EVENT
                || EventHeader.type(in.buffer(), in.eventOffset()) != EventType.PREVIOUS_GTIDS) {
            return null;
        }
        java.nio.ByteBuffer body = java.nio.ByteBuffer.wrap(in.buffer(), in.eventOffset() + EventHeader.LENGTH,
                in.eventSize() - EventHeader.LENGTH - EventHeader.CHECKSUM_LENGTH);
        body.order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long sids = body.getLong();
        long lastGno = 0;
        if (sids == 1) {
            UUID sid = new UUID(body.order(java.nio.ByteOrder.BIG_ENDIAN).getLong(), body.getLong());
            body.order(java.nio.ByteOrder.LITTLE_ENDIAN);
            if (!sid.equals(expectedSid)) {
                throw new IOException(name + " holds GTIDs of cluster uuid " + sid + ", but the configured cluster uuid is "
                        + expectedSid);
            }
            long intervals = body.getLong();
            if (intervals != 1 || body.getLong() != 1) {
                throw new IOException(name + ": previous GTID set is not one interval starting at 1");
            }
            lastGno = body.getLong() - 1;
        } else if (sids != 0) {
            throw new IOException(name + ": previous GTID set names " + sids + " source uuids; a global binlog has one");
        }
        return new Header(lastGno + 1, in.nextPosition());
    }
}
