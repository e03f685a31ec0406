package io.gbinlog.merger.pipeline;

import io.gbinlog.collector.capture.BinlogCoordinates;

import java.util.List;

/**
 * The data nodes as streams of this run: stream k is {@code ids.get(k)}, read from {@code starts.get(k)}. Turns the
 * merger's encoded positions back into binlog coordinates.
 */
record Streams(List<String> ids, List<BinlogCoordinates> starts) {

    Streams {
        ids = List.copyOf(ids);
        starts = List.copyOf(starts);
    }

    String id(int stream) {
        return ids.get(stream);
    }

    BinlogCoordinates coordinates(int stream, long position) {
        return BinlogCoordinates.decode(position, starts.get(stream).file());
    }
}
