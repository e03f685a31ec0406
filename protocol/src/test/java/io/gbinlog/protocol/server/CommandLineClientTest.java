package io.gbinlog.protocol.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The server as the {@code mariadb} command-line client sees it. */
class CommandLineClientTest {

    private static MysqlServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void start() {
        TestQueries queries = new TestQueries();
        server = MysqlServer.builder().users(TestQueries.USERS).queryHandler(queries::handle).start();
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private record Run(int exitCode, String stdout, String stderr) {
    }

    private Run mariadb(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("mariadb", "--no-defaults", "--protocol=TCP", "-h127.0.0.1",
                "-P" + server.port(), "--connect-timeout=5"));
        command.addAll(List.of(args));
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        Process process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "mariadb did not finish: " + command);
            return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            process.destroyForcibly();
        }
    }

    @Test
    void queryPrintsTheApplicationsAnswer() throws Exception {
        Run run = mariadb("-uu", "-ppw", "-N", "-e", "SELECT NEXT_TS()");
        assertEquals(0, run.exitCode(), run.stderr());
        assertTrue(Long.parseLong(run.stdout().strip()) > TestQueries.FIRST_TIMESTAMP, run.stdout());
    }

    @Test
    void wrongPasswordFailsWith1045() throws Exception {
        Run run = mariadb("-uu", "-pnope", "-N", "-e", "SELECT NEXT_TS()");
        assertNotEquals(0, run.exitCode());
        assertTrue(run.stderr().contains("1045"), run.stderr());
        assertTrue(run.stderr().contains("Access denied for user 'u'@'127.0.0.1' (using password: YES)"), run.stderr());
    }

    @Test
    void clientStartingWithAnotherPluginIsSwitchedToNativePassword() throws Exception {
        Run run = mariadb("--default-auth=caching_sha2_password", "-uu", "-ppw", "-N", "-e", "SELECT 'switched'");
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("switched", run.stdout().strip());

        Run denied = mariadb("--default-auth=caching_sha2_password", "-uu", "-pnope", "-N", "-e", "SELECT 1");
        assertTrue(denied.stderr().contains("1045"), denied.stderr());
    }

    @Test
    void sessionStatementsAndSchemaWork() throws Exception {
        Run run = mariadb("-uu", "-ppw", "-N", "-D", "shop", "-e",
                "select @@version_comment limit 1; SET @x = 'kept'; SELECT @x, DATABASE(); USE other; SELECT DATABASE()");
        assertEquals(0, run.exitCode(), run.stderr());
        assertEquals("gbinlog\nkept\tshop\nother", run.stdout().strip());
    }
}
