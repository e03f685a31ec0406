package io.gbinlog.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GbinlogCommandTest {
    @TempDir
    Path dir;

    record Run(int exitCode, String out, String err) {
    }

    private static Run run(String... args) {
        CommandLine cli = GbinlogCommand.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cli.setOut(new PrintWriter(out));
        cli.setErr(new PrintWriter(err));
        int code = cli.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsTheCommands() {
        Run r = run("--help");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().contains("tso"), r.out());
        assertTrue(r.out().contains("demo"), r.out());
    }

    @Test
    void tsoHelpNamesItsOption() {
        Run r = run("tso", "--help");
        assertEquals(0, r.exitCode());
        assertTrue(r.out().contains("--config"), r.out());
    }

    @Test
    void aBadConfigurationNamesTheSettingAndExitsWith2() throws Exception {
        Path config = Files.writeString(dir.resolve("g.yaml"), "tso: {listen: nowhere}\nusers: [{name: a, password: b}]\n");
        Run r = run("tso", "--config", config.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("tso.listen") && r.err().contains("expected host:port"), r.err());
    }

    @Test
    void tsoWithoutUsersIsRefused() throws Exception {
        Path config = Files.writeString(dir.resolve("g.yaml"), "tso: {listen: 127.0.0.1:0}\n");
        Run r = run("tso", "--config", config.toString());
        assertEquals(2, r.exitCode());
        assertTrue(r.err().contains("users"), r.err());
    }
}
