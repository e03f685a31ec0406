package io.gbinlog.merger.checkpoint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointFileTest {

    @TempDir
    Path dir;

    private static Checkpoint checkpoint(long gno) {
        return new Checkpoint(Checkpoint.FORMAT, new Checkpoint.Binlog("binlog.000002", 1234, gno),
                new Checkpoint.Cut(7_000_000L << 22, true), new Checkpoint.Distributed(7_000_001L << 22, "6731"),
                List.of(new Checkpoint.Stream("dn0", "mariadb-bin.000001:400", "mariadb-bin.000003:4", null),
                        new Checkpoint.Stream("dn1", "mariadb-bin.000001:500", "mariadb-bin.000001:900",
                                "mariadb-bin.000001:1200")));
    }

    @Test
    void writtenCheckpointsReadBackAndReplaceEachOther() throws IOException {
        CheckpointFile file = new CheckpointFile(dir);
        assertTrue(file.read().isEmpty());
        file.write(checkpoint(1));
        file.write(checkpoint(2));
        assertEquals(checkpoint(2), file.read().orElseThrow());
        assertFalse(Files.exists(dir.resolve(CheckpointFile.NAME + ".tmp")));
        Checkpoint.Stream dn1 = file.read().orElseThrow().streams().get(1);
        assertEquals("mariadb-bin.000001", dn1.restartFromCoordinates().file());
        assertEquals(1200, dn1.lastLocalCoordinates().offset());
        assertEquals(null, file.read().orElseThrow().streams().get(0).lastLocalCoordinates());
    }

    @Test
    void aFileThatIsNoCheckpointIsRefusedByName() throws IOException {
        CheckpointFile file = new CheckpointFile(dir);
        Files.writeString(file.path(), "{\"format\": 1, \"binlog\": {\"file\": \"binlog.000001\"");
        IOException e = assertThrows(IOException.class, file::read);
        assertTrue(e.getMessage().startsWith(file.path() + " is not a gbinlog checkpoint"), e.getMessage());
        file.write(checkpoint(3));
        Files.writeString(file.path(), Files.readString(file.path()).replace("\"format\" : 1", "\"format\" : 9"));
        e = assertThrows(IOException.class, file::read);
        assertTrue(e.getMessage().contains("format 9"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Checkpoint.coordinates("mariadb-bin.000001"));
    }
}
