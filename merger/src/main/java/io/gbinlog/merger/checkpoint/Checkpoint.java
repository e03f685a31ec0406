package io.gbinlog.merger.checkpoint;

import io.gbinlog.merger.merge.EngineCheckpoint;
import io.gbinlog.merger.writer.BinlogPosition;

import java.util.Base64;
import java.util.List;
import java.util.Objects;

/**
 * Where the pipeline resumes after a stop or a crash (design §5), written after the global binlog data it covers
 * is durable: the end of the global binlog it covers, and the ordering engine's checkpoint taken right after the
 * last transaction in it was handed over. A restart cuts the global binlog back to {@code binlog} and resumes the
 * engine from {@code engine}: the engine then hands over exactly what follows.
 *
 * @param format    {@link #FORMAT}
 * @param binlog    the end of the global binlog this checkpoint covers, and its last GTID sequence number
 * @param dataNodes the data-node ids in stream order (the engine's; shown for operators)
 * @param engine    {@link EngineCheckpoint#encode()}, base64
 */
public record Checkpoint(int format, Binlog binlog, List<String> dataNodes, String engine) {

    public static final int FORMAT = 2;

    public Checkpoint {
        Objects.requireNonNull(binlog, "binlog");
        Objects.requireNonNull(engine, "engine");
        dataNodes = List.copyOf(dataNodes);
    }

    public static Checkpoint of(BinlogPosition covered, long lastGno, EngineCheckpoint engine) {
        return new Checkpoint(FORMAT, new Binlog(covered.file(), covered.position(), lastGno), engine.nodes(),
                Base64.getEncoder().encodeToString(engine.encode()));
    }

    /** The global binlog's end covered by the checkpoint, and its last GNO. */
    public record Binlog(String file, long position, long lastGno) {

        public BinlogPosition end() {
            return new BinlogPosition(file, position);
        }
    }

    /** The ordering engine's checkpoint. */
    public EngineCheckpoint engineCheckpoint() {
        return EngineCheckpoint.decode(Base64.getDecoder().decode(engine));
    }
}
