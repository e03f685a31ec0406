package io.gbinlog.integration.cluster;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Removes clusters whose JVM died without running its shutdown hook (kill -9, a forked test JVM killed on
 * timeout): their servers would otherwise run forever and hold ports and disk.
 */
final class StaleClusters {

    private StaleClusters() {
    }

    static void sweep(Path baseDir) {
        if (!Files.isDirectory(baseDir)) {
            return;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(baseDir, LocalCluster.DIR_PREFIX + "*")) {
            for (Path dir : dirs) {
                if (ownerIsDead(dir)) {
                    killServers(dir);
                    FileTrees.delete(dir);
                }
            }
        } catch (IOException e) {
            // Leftovers cost disk, not correctness; another start will try again.
        }
    }

    private static boolean ownerIsDead(Path clusterDir) throws IOException {
        Optional<Long> owner = readPid(clusterDir.resolve(LocalCluster.OWNER_FILE));
        return owner.isPresent() && ProcessHandle.of(owner.get()).map(p -> !p.isAlive()).orElse(true);
    }

    private static void killServers(Path clusterDir) throws IOException {
        try (DirectoryStream<Path> nodeDirs = Files.newDirectoryStream(clusterDir, "dn*")) {
            for (Path nodeDir : nodeDirs) {
                Optional<Long> pid = readPid(nodeDir.resolve("mariadbd.pid"));
                if (pid.isEmpty()) {
                    continue;
                }
                // Only a mariadbd serving this very directory: the pid may have been reused since.
                String dataDirOption = "--datadir=" + nodeDir.resolve("data");
                ProcessHandle.of(pid.get())
                        .filter(p -> p.info().commandLine().map(c -> c.contains(dataDirOption)).orElse(false))
                        .ifPresent(p -> {
                            p.destroyForcibly();
                            p.onExit().join();
                        });
            }
        }
    }

    private static Optional<Long> readPid(Path file) {
        try {
            return Optional.of(Long.parseLong(Files.readString(file).trim()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }
}
