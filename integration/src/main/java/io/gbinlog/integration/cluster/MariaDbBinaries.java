package io.gbinlog.integration.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The MariaDB server programs installed on this machine, found on PATH or in /usr/sbin and /usr/bin. */
record MariaDbBinaries(Path mariadbd, Path installDb, String version) {

    private static final String PACKAGE_HINT =
            "install the package mariadb-server (Debian/Ubuntu: apt-get install mariadb-server)";

    static MariaDbBinaries locate() {
        Path server = find("mariadbd");
        Path installDb = find("mariadb-install-db");
        return new MariaDbBinaries(server, installDb, versionOf(server));
    }

    private static Path find(String program) {
        List<Path> candidates = new ArrayList<>();
        String pathVariable = System.getenv("PATH");
        if (pathVariable != null) {
            for (String dir : pathVariable.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    candidates.add(Path.of(dir, program));
                }
            }
        }
        candidates.add(Path.of("/usr/sbin", program));
        candidates.add(Path.of("/usr/bin", program));
        for (Path candidate : candidates) {
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("cannot start local data nodes: '" + program
                + "' was not found on PATH, in /usr/sbin or in /usr/bin; " + PACKAGE_HINT);
    }

    /** The first line of {@code mariadbd --version}, e.g. "mariadbd  Ver 10.11.19-MariaDB-0+deb12u1 ...". */
    private static String versionOf(Path server) {
        try {
            Process process = new ProcessBuilder(server.toString(), "--version").redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0 || output.isEmpty()) {
                process.destroyForcibly();
                throw new IllegalStateException("'" + server + " --version' failed: " + output + "; " + PACKAGE_HINT);
            }
            return output.lines().findFirst().orElseThrow();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + server + " --version", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking " + server + " for its version", e);
        }
    }
}
