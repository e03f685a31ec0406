package io.gbinlog.integration.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.integration.cluster.DataNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The global binlog through the MariaDB command-line tools: {@code mariadb-binlog}, {@code mariadb-dump}, {@code mariadb}. */
final class Replay {

    private Replay() {
    }

    /** Copies {@code db.table} of every node in {@code from} into {@code to} (the first also creates it). */
    static void copyTable(List<DataNode> from, DataNode to, String db, String table, Path work) throws Exception {
        shell("mariadb " + client(to) + " -e 'CREATE DATABASE " + db + "'", work.resolve("create-db.log"));
        for (int i = 0; i < from.size(); i++) {
            String options = "--single-transaction " + (i == 0 ? "--skip-add-drop-table" : "--no-create-info");
            shell("mariadb-dump " + client(from.get(i)) + " " + options + " " + db + " " + table + " | mariadb "
                    + client(to) + " " + db, work.resolve("copy-" + i + ".log"));
        }
    }

    /**
     * Prints every file with {@code mariadb-binlog -v} and returns the decoded text; fails on any warning or error.
     */
    static String decode(List<Path> files, Path work) throws Exception {
        Path out = work.resolve("decoded.txt");
        shell("mariadb-binlog -v --base64-output=decode-rows " + paths(files) + " > " + out, work.resolve("decode.log"));
        String text = Files.readString(out, StandardCharsets.ISO_8859_1);
        assertFalse(text.contains("WARNING") || text.contains("ERROR"), "mariadb-binlog complained; see " + out);
        return text;
    }

    /**
     * The row changes of {@code db.table} in a decoded text, in order, as {@code "UPDATE 17"} (the change and the
     * first column of the row). mariadb-binlog shows MySQL's rows-query events only as ignorable, so statement ids
     * and markers are not visible to it; the row images are.
     */
    static List<String> rowChanges(String decoded, String db, String table) {
        List<String> changes = new ArrayList<>();
        String name = "`" + db + "`.`" + table + "`";
        String pending = null;
        for (String line : decoded.split("\n")) {
            if (line.equals("### UPDATE " + name)) {
                pending = "UPDATE";
            } else if (line.equals("### INSERT INTO " + name)) {
                pending = "INSERT";
            } else if (line.equals("### DELETE FROM " + name)) {
                pending = "DELETE";
            } else if (pending != null && line.startsWith("###   @1=")) {
                changes.add(pending + " " + line.substring("###   @1=".length()));
                pending = null;
            }
        }
        return changes;
    }

    /** {@code mariadb-binlog files | mariadb}: applies the global binlog to {@code target}. */
    static void apply(List<Path> files, DataNode target, Path work) throws Exception {
        shell("mariadb-binlog " + paths(files) + " | mariadb " + client(target), work.resolve("replay.log"));
    }

    private static String client(DataNode dn) {
        return "--no-defaults -h" + dn.host() + " -P" + dn.port() + " -u" + dn.user() + " -p" + dn.password();
    }

    private static String paths(List<Path> files) {
        StringBuilder s = new StringBuilder();
        files.forEach(f -> s.append(' ').append(f));
        return s.toString();
    }

    private static void shell(String command, Path log) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("bash", "-o", "pipefail", "-c", command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(command + " did not finish in 120 s");
        }
        String output = Files.readString(log);
        assertEquals(0, p.exitValue(), () -> command + " failed:\n" + output);
        assertTrue(output.isBlank() || output.strip().equals("mariadb: [Warning] Using a password on the command line"
                + " interface can be insecure."), () -> command + " wrote:\n" + output);
    }
}
