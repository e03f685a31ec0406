package io.gbinlog.integration.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An initialised MariaDB data directory, built once per server version and bootstrap script, copied for
 * every data node. Running mariadb-install-db per node would make a 3-node start take many seconds; a copy
 * takes milliseconds.
 *
 * <p>The cache lives in {@code java.io.tmpdir}. Several JVMs may start clusters at once: a file lock
 * serialises the build and the finished directory appears by an atomic rename, so nobody copies a
 * half-built template.
 */
final class TemplateDataDir {

    /** Accounts and schema every data node starts with. */
    static final String BOOTSTRAP_SQL = """
            -- Anonymous accounts would match before ours and deny access.
            DELETE FROM mysql.global_priv WHERE User = '';
            -- Bootstrap runs without grant tables; loading them makes CREATE USER possible.
            FLUSH PRIVILEGES;
            CREATE USER '%1$s'@'%%' IDENTIFIED BY '%2$s';
            GRANT ALL PRIVILEGES ON *.* TO '%1$s'@'%%' WITH GRANT OPTION;
            CREATE DATABASE __gbinlog;
            CREATE TABLE __gbinlog.commit_log (
              gtrid        VARBINARY(128) PRIMARY KEY,
              cts          BIGINT NOT NULL,
              participants VARCHAR(1024) NOT NULL
            );
            CREATE TABLE __gbinlog.ddl_log (
              id BIGINT PRIMARY KEY, schema_name VARCHAR(64) NOT NULL, ddl TEXT NOT NULL
            );
            """.formatted(DataNode.USER, DataNode.PASSWORD);

    /** Options shared by the template build and every server start; data files must agree with them. */
    static final List<String> STORAGE_OPTIONS = List.of(
            "--innodb-log-file-size=16M",
            "--innodb-buffer-pool-size=32M",
            "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_general_ci");

    private static final String READY_MARKER = "gbinlog-template-ready";
    private static final Object JVM_LOCK = new Object();

    private TemplateDataDir() {
    }

    /** The cached template for these binaries, building it first if needed. */
    static Path obtain(MariaDbBinaries binaries) {
        Path cacheRoot = Path.of(System.getProperty("java.io.tmpdir"));
        Path template = cacheRoot.resolve("gbinlog-dn-template-" + cacheKey(binaries));
        // FileChannel.lock is per JVM: a second thread of this JVM would get OverlappingFileLockException.
        synchronized (JVM_LOCK) {
            try (FileChannel lockChannel = FileChannel.open(Path.of(template + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockChannel.lock()) {
                if (Files.exists(template.resolve(READY_MARKER))) {
                    return template;
                }
                FileTrees.delete(template); // left by a build that died before its rename
                Path building = Files.createTempDirectory(cacheRoot, template.getFileName() + ".building-");
                Path scratch = Files.createTempDirectory(cacheRoot, template.getFileName() + ".scratch-");
                try {
                    build(binaries, building, scratch);
                    Files.move(building, template, StandardCopyOption.ATOMIC_MOVE);
                } finally {
                    FileTrees.delete(building);
                    FileTrees.delete(scratch);
                }
                return template;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot build the data-node template directory " + template, e);
            }
        }
    }

    /** Copies the template into {@code target}, which must not exist yet. */
    static void copyTo(Path template, Path target) throws IOException {
        FileTrees.copy(template, target, file -> !file.getFileName().toString().equals(READY_MARKER));
    }

    private static void build(MariaDbBinaries binaries, Path dataDir, Path scratch) throws IOException {
        Path script = scratch.resolve("bootstrap.sql");
        Path log = scratch.resolve("install-db.log");
        Files.writeString(script, BOOTSTRAP_SQL);
        List<String> command = new ArrayList<>(List.of(
                binaries.installDb().toString(),
                "--no-defaults",
                "--datadir=" + dataDir,
                "--user=root",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                "--skip-name-resolve",
                "--extra-file=" + script));
        command.addAll(STORAGE_OPTIONS);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException("mariadb-install-db did not finish within 120 s:\n"
                        + FileTrees.tail(log, 0));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running mariadb-install-db", e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("mariadb-install-db failed with exit code " + process.exitValue()
                    + " (" + String.join(" ", command) + "):\n" + FileTrees.tail(log, 0));
        }
        Files.writeString(dataDir.resolve(READY_MARKER), binaries.version());
    }

    /** Version and bootstrap script together: a new server or a changed schema gets a fresh template. */
    private static String cacheKey(MariaDbBinaries binaries) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(binaries.version().getBytes(StandardCharsets.UTF_8));
            sha.update(BOOTSTRAP_SQL.getBytes(StandardCharsets.UTF_8));
            sha.update(String.join(" ", STORAGE_OPTIONS).getBytes(StandardCharsets.UTF_8));
            return versionNumber(binaries.version()) + "-" + HexFormat.of().formatHex(sha.digest(), 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String versionNumber(String versionLine) {
        Matcher m = Pattern.compile("Ver\\s+(\\d+\\.\\d+\\.\\d+)").matcher(versionLine);
        return m.find() ? m.group(1) : "unknown";
    }
}
