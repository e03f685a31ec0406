package io.gbinlog.merger.writer;

import io.gbinlog.protocol.binlog.BinlogFormatException;
import io.gbinlog.protocol.binlog.EventHeader;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * Streams the events of the global binlog from a file and position, as a dump thread sends them: whole events
 * (header to checksum), through the ROTATE at the end of a file into the next file's FORMAT_DESCRIPTION, up to
 * the durable end. {@link #next()} returning false means "caught up": wait with
 * {@link GlobalBinlog#awaitBeyond} and call it again. One reader per consumer; not thread-safe.
 */
public final class BinlogEventReader implements AutoCloseable {
    private final GlobalBinlog log;
    private Segment segment;
    private FileChannel channel;
    private EventFileReader in;

    BinlogEventReader(GlobalBinlog log, Segment segment, long position) throws IOException {
        this.log = log;
        open(segment, position);
    }

    /**
     * Reads the next event.
     *
     * @return false when no further durable event exists yet
     * @throws BinlogFormatException when the bytes at the current position are not a whole, intact event
     *                               (e.g. a start position that is not an event boundary)
     */
    public boolean next() throws IOException {
        while (true) {
            long limit = log.visibleSize(segment);
            EventFileReader.Result r = in.next(limit);
            if (r == EventFileReader.Result.EVENT) {
                return true;
            }
            if (r != EventFileReader.Result.END) {
                throw new BinlogFormatException("no intact event at " + segment.name + ":" + in.nextPosition()
                        + (r == EventFileReader.Result.TORN ? " (event runs past the end of the data)" : " (bad size or checksum)"));
            }
            long visible = log.visibleSize(segment);
            if (limit < visible) {
                continue; // more became visible meanwhile
            }
            Segment after = log.segmentAfter(segment);
            if (after == null || segment.sealedSize < 0 || visible < segment.sealedSize) {
                return false; // the rest of this file, its ROTATE included, is not visible yet
            }
            channel.close();
            open(after, EventHeader.MAGIC.length);
        }
    }

    /** Holds the current event at {@link #eventOffset()}; valid until the next call to {@link #next()}. */
    public byte[] buffer() {
        return in.buffer();
    }

    public int eventOffset() {
        return in.eventOffset();
    }

    /** Size of the current event including header and checksum. */
    public int eventSize() {
        return in.eventSize();
    }

    public int eventType() {
        return EventHeader.type(in.buffer(), in.eventOffset());
    }

    /** File of the current event. */
    public String file() {
        return segment.name;
    }

    /** Position of the current event in {@link #file()}. */
    public long eventPosition() {
        return in.eventPosition();
    }

    /** Position just after the current event: where a replica that has it would resume. */
    public long nextPosition() {
        return in.nextPosition();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    private void open(Segment s, long position) throws IOException {
        segment = s;
        channel = FileChannel.open(s.path, StandardOpenOption.READ);
        in = new EventFileReader(channel, position);
    }
}
