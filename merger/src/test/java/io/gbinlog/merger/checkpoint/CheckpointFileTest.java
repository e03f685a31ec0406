package io.gbinlog.merger.checkpoint;

import io.gbinlog.merger.merge.EngineCheckpoint;
import io.gbinlog.merger.writer.BinlogPosition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointFileTest {

    @TempDir
    Path dir;

    private static final EngineCheckpoint ENGINE = EngineCheckpoint.firstStart(List.of("dn0", "dn1"),
            new long[] {400, 900});

    private static Checkpoint checkpoint(long gno) {
        return Checkpoint.of(new BinlogPosition("binlog.000002", 1234), gno, ENGINE);
    }

    @Test
    void writtenCheckpointsReadBackAndReplaceEachOther() throws IOException {
        CheckpointFile file = new CheckpointFile(dir);
        assertTrue(file.read().isEmpty());
        file.write(checkpoint(1));
        file.write(checkpoint(2));
        Checkpoint read = file.read().orElseThrow();
        assertEquals(checkpoint(2), read);
        assertFalse(Files.exists(dir.resolve(CheckpointFile.NAME + ".tmp")));
        assertEquals(new BinlogPosition("binlog.000002", 1234), read.binlog().end());
        assertEquals(List.of("dn0", "dn1"), read.dataNodes());
        assertArrayEquals(ENGINE.encode(), read.engineCheckpoint().encode());
        assertEquals(900, read.engineCheckpoint().restartPosition(1));
    }

    @Test
    void aFileThatIsNoCheckpointIsRefusedByName() throws IOException {
        CheckpointFile file = new CheckpointFile(dir);
        Files.writeString(file.path(), "{\"format\": 2, \"binlog\": {\"file\": \"binlog.000001\"");
        IOException e = assertThrows(IOException.class, file::read);
        assertTrue(e.getMessage().startsWith(file.path() + " is not a gbinlog checkpoint"), e.getMessage());
        file.write(checkpoint(3));
        String good = Files.readString(file.path());
        Files.writeString(file.path(), good.replace("\"format\" : 2", "\"format\" : 9"));
        e = assertThrows(IOException.class, file::read);
        assertTrue(e.getMessage().contains("format 9"), e.getMessage());
        String engine = checkpoint(3).engine();
        Files.writeString(file.path(), good.replace(engine, engine.substring(0, 8) + "AAAA" + engine.substring(12)));
        e = assertThrows(IOException.class, file::read);
        assertTrue(e.getMessage().contains("engine checkpoint is damaged"), e.getMessage());
    }
}
