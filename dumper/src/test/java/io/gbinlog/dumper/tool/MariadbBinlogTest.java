package io.gbinlog.dumper.tool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.dumper.fixture.TestBinlog;
import io.gbinlog.dumper.server.Dumper;
import io.gbinlog.merger.writer.AppendedTransaction;
import io.gbinlog.meta.config.HostPort;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
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

    @Test
    void stopNeverFollowsTheLogIntoFilesWrittenWhileItRuns(@TempDir Path dir) throws Exception {
        try (TestBinlog binlog = TestBinlog.open(dir.resolve("log"), 16 * 1024);
                Dumper dumper = Dumper.start(binlog.log(), HostPort.parse("127.0.0.1:0"), USERS)) {
            binlog.appendSchema();
            binlog.appendSource(30);
            Path out = Files.createDirectories(dir.resolve("fetched"));
            Process p = new ProcessBuilder("mariadb-binlog", "--read-from-remote-server", "--raw", "--stop-never",
                    "--host=127.0.0.1", "--port=" + dumper.port(), "--user=repl", "--password=secret",
                    "--result-file=" + out + "/", "binlog.000001")
                    .redirectErrorStream(true).redirectOutput(dir.resolve("tool.log").toFile()).start();
            try {
                binlog.appendRestOfSource();
                List<Path> files = binlog.files();
                // Every file but the newest is closed by the next one's arrival; the newest stays in its buffers.
                List<Path> complete = files.subList(0, files.size() - 1);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (!sameContent(complete, out)) {
                    assertTrue(System.nanoTime() < deadline, "mariadb-binlog did not fetch " + complete + ": "
                            + Files.readString(dir.resolve("tool.log")));
                    assertTrue(!p.waitFor(20, TimeUnit.MILLISECONDS), "mariadb-binlog exited: "
                            + Files.readString(dir.resolve("tool.log")));
                }
                assertTrue(complete.size() > 5, "files written while it ran: " + complete);
            } finally {
                p.destroy();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static boolean sameContent(List<Path> files, Path out) throws Exception {
        for (Path file : files) {
            Path fetched = out.resolve(file.getFileName());
            if (!Files.exists(fetched) || Files.size(fetched) != Files.size(file)
                    || !Arrays.equals(Files.readAllBytes(file), Files.readAllBytes(fetched))) {
                return false;
            }
        }
        return true;
    }

    @Test
    void textDumpFromAPositionDecodesTheRows(@TempDir Path dir) throws Exception {
        try (TestBinlog binlog = TestBinlog.open(dir.resolve("log"), 1024 * 1024);
                Dumper dumper = Dumper.start(binlog.log(), HostPort.parse("127.0.0.1:0"), USERS)) {
            binlog.appendSchema();
            AppendedTransaction from = binlog.appendSource(40).get(20);
            String text = run(dir, List.of("mariadb-binlog", "--read-from-remote-server", "-v", "--host=127.0.0.1",
                    "--port=" + dumper.port(), "--user=repl", "--password=secret",
                    "--start-position=" + from.start().position(), from.start().file()));
            assertTrue(text.contains("# at " + from.start().position()), text);
            assertTrue(text.contains("# Ignorable event type 33 (MySQL Gtid)"), text); // MariaDB skips MySQL GTIDs
            assertTrue(text.contains("### INSERT INTO `shop`.`") || text.contains("### UPDATE `shop`.`")
                    || text.contains("### DELETE FROM `shop`.`"), text);
            assertTrue(!text.contains("ERROR:") && !text.contains("WARNING:"), text);
            assertTrue(!text.contains("CREATE DATABASE shop"), "nothing before the start position");
        }
    }

    static String run(Path dir, List<String> command) throws Exception {
        Path log = Files.createTempFile(dir, "tool", ".log");
        Process p = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(command.get(0) + " did not finish: " + Files.readString(log, StandardCharsets.ISO_8859_1));
        }
        String output = Files.readString(log, StandardCharsets.ISO_8859_1); // blobs print raw
        assertEquals(0, p.exitValue(), command + " failed: " + output);
        return output;
    }
}
