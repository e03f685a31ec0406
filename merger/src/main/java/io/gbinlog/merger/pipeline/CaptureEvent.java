package io.gbinlog.merger.pipeline;

import io.gbinlog.collector.ordering.Gtrid;

import java.util.List;

/** A slot of a collector's ring: one {@link io.gbinlog.collector.capture.CaptureListener} call, reused. */
final class CaptureEvent {

    enum Kind { PREPARED, COMMITTED, ROLLED_BACK, LOCAL, COMMIT_LOG_ROW, PROBE }

    Kind kind;
    long position;
    Gtrid gtrid;
    /** The cts of a commit_log row, the TSO of a probe. */
    long value;
    /** The data-node ids a commit_log row lists. */
    List<String> participants;
    Captured captured;

    /** Drops the references once consumed: a ring slot must not keep a large payload alive. */
    void clear() {
        gtrid = null;
        captured = null;
        participants = null;
    }
}
