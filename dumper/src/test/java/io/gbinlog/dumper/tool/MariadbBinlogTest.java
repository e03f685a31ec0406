package io.gbinlog.dumper.tool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.dumper.fixture.TestBinlog;
import io.gbinlog.dumper.server.Dumper;
import io.gbinlog.meta.config.HostPort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mariadb-binlog --read-from-remote-server fetches the global binlog files byte for byte. */
class MariadbBinlogTest {

    private static final Map<String, String> USERS = Map.of("repl", "secret");

    @Test
    void rawFetchOfEveryFileIsByteIdentical(@TempDir Path dir) throws Exception {
        try (TestBinlog binlog = TestBinlog.open(dir.resolve("log"), 16 * 1024);
                Dumper dumper = Dumper.start(binlog.log(), HostPort.parse("127.0.0.1:0"), USERS)) {
            binlog.appendSchema();
            binlog.appendRestOfSource();
            List<Path> files = binlog.files();
            assertTrue(files.size() > 3, "several files: " + files);
            Path out = Files.createDirectories(dir.resolve("fetched"));
            run(dir, List.of("mariadb-binlog", "--read-from-remote-server", "--raw", "--host=127.0.0.1",
                    "--port=" + dumper.port(), "--user=repl", "--password=secret", "--to-last-log",
                    "--result-file=" + out + "/", files.get(0).getFileName().toString()));
            for (Path file : files) {
                assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(out.resolve(file.getFileName())),
                        file.getFileName().toString());
            }
        }
    }

    static String run(Path dir, List<String> command) throws Exception {
        Path log = Files.createTempFile(dir, "tool", ".log");
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command.get(0) + " did not finish: " + Files.readString(log));
        }
        String output = Files.readString(log);
        assertEquals(0, p.exitValue(), command + " failed: " + output);
        return output;
    }
}
