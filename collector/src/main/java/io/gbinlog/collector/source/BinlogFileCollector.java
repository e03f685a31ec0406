package io.gbinlog.collector.source;

import com.github.shyiko.mysql.binlog.BinaryLogFileReader;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventHeaderV4;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import io.gbinlog.collector.capture.BinlogCoordinates;
import io.gbinlog.collector.capture.CaptureDeserializer;
import io.gbinlog.collector.capture.CaptureListener;
import io.gbinlog.collector.capture.TransactionAssembler;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The capture of a data node's binlog files read from disk instead of a replica connection: archived binlogs,
 * and benchmarks without a server. Delivers exactly what a replica connection from the same position would.
 */
public final class BinlogFileCollector {

    private BinlogFileCollector() {
    }

    /**
     * Reads {@code files} (one data node's binlog files in order) from {@code start}, an event-group boundary in
     * one of them, delivering every complete event group to {@code listener} in the calling thread.
     *
     * @param source names the data node in messages
     * @return where a later read resumes: after the last complete group (a group cut off by the end of the last
     *         file is not delivered)
     */
    public static BinlogCoordinates read(List<Path> files, BinlogCoordinates start, int stream, String source,
                                         CaptureListener listener) throws IOException {
        TransactionAssembler assembler = new TransactionAssembler(stream, source, listener, null);
        EventDeserializer deserializer = CaptureDeserializer.create();
        boolean started = false;
        for (Path path : files) {
            String name = path.getFileName().toString();
            if (!started) {
                if (!name.equals(start.file())) {
                    continue;
                }
                assembler.startAt(start);
                started = true;
            } else if (!assembler.resumePosition().file().equals(name)) {
                // The previous file ended without a rotate (the data node crashed): this one starts afresh.
                assembler.startAt(new BinlogCoordinates(name, BinlogCoordinates.FIRST_EVENT));
            }
            long skipBefore = assembler.resumePosition().offset();
            try (BinaryLogFileReader reader = new BinaryLogFileReader(new FileInput(path), deserializer)) {
                for (Event event = reader.readEvent(); event != null; event = reader.readEvent()) {
                    EventHeaderV4 header = event.getHeader();
                    if (header.getNextPosition() - header.getEventLength() >= skipBefore) {
                        assembler.accept(event);
                    }
                }
            }
        }
        if (!started) {
            throw new IllegalArgumentException(source + ": start " + start + " is in none of the files " + files);
        }
        return assembler.resumePosition();
    }
}
