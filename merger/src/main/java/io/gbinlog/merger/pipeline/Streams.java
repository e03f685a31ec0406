package io.gbinlog.merger.pipeline;

import io.gbinlog.collector.capture.BinlogCoordinates;

import java.util.List;

/**
 * The data nodes as streams of this run: stream k is {@code ids.get(k)}, read from {@code starts.get(k)}; its binlog
 * ended at {@code endsAtStart.get(k)} when the run began (what lies before was possibly read by an earlier run).
 * Turns the merger's encoded positions back into binlog coordinates.
 */
record Streams(List<String> ids, List<BinlogCoordinates> starts, List<BinlogCoordinates> endsAtStart) {

    Streams {
        ids = List.copyOf(ids);
        starts = List.copyOf(starts);
        endsAtStart = List.copyOf(endsAtStart);
    }

    String id(int stream) {
        return ids.get(stream);
    }

    long start(int stream) {
        return starts.get(stream).encoded();
    }

    long endAtStart(int stream) {
        return endsAtStart.get(stream).encoded();
    }

    BinlogCoordinates coordinates(int stream, long position) {
        return BinlogCoordinates.decode(position, starts.get(stream).file());
    }
}
