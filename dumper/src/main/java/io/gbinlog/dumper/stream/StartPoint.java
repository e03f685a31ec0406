package io.gbinlog.dumper.stream;

import io.gbinlog.dumper.gtid.LogHead;
import io.gbinlog.merger.writer.BinlogPosition;
import io.gbinlog.merger.writer.GlobalBinlog;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Where a dump request starts in the global binlog, or why it cannot be served (MySQL's wording where it has one). */
final class StartPoint {

    private StartPoint() {
    }

    static BinlogPosition resolve(GlobalBinlog log, UUID cluster, DumpRequest request) throws DumpFailure, IOException {
        if (request.executed() == null) {
            return filePosition(log, request.file(), request.position());
        }
        BinlogPosition afterExecuted = afterExecuted(log, cluster, request.executed());
        if (request.file().isEmpty()) {
            return afterExecuted;
        }
        // A file and position given with the set: MySQL starts there and skips what the set holds, so the
        // first event sent is the later of the two.
        BinlogPosition named = filePosition(log, request.file(), request.position());
        return named.compareTo(afterExecuted) > 0 ? named : afterExecuted;
    }

    private static BinlogPosition filePosition(GlobalBinlog log, String file, long position) throws DumpFailure {
        List<BinlogPosition> files = log.files();
        BinlogPosition found = file.isEmpty() ? files.get(0)
                : files.stream().filter(f -> f.file().equals(file)).findFirst().orElse(null);
        if (found == null) {
            throw new DumpFailure("Could not find first log file name in binary log index file: '" + file
                    + "' is not one of " + files.get(0).file() + " .. " + files.get(files.size() - 1).file());
        }
        if (position < 4) {
            throw new DumpFailure("Client requested source to start replication from position < 4 (" + position + ")");
        }
        if (position > found.position()) {
            throw new DumpFailure("Client requested source to start replication from position > file size: "
                    + found.file() + " has " + found.position() + " bytes, position " + position + " was asked");
        }
        return new BinlogPosition(found.file(), position);
    }

    /** The start of the first transaction the replica lacks; the end of the log when it has them all. */
    private static BinlogPosition afterExecuted(GlobalBinlog log, UUID cluster, ReplicaGtidSet executed)
            throws DumpFailure, IOException {
        LogHead head = LogHead.of(log);
        long next = executed.firstMissingGno(cluster, head.lastGno());
        if (next == head.lastGno() + 1) {
            return head.end();
        }
        Optional<BinlogPosition> start = log.findGno(next);
        if (start.isEmpty()) {
            throw new DumpFailure("Cannot replicate because the source purged required binary logs: the transaction "
                    + cluster + ":" + next + " the replica needs next is no longer in the global binlog");
        }
        return start.get();
    }
}
