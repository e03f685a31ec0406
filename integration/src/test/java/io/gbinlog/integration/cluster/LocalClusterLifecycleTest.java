package io.gbinlog.integration.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.integration.testing.ChildJvm;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Servers must not outlive their cluster: not when the JVM exits without close(), not when it is killed. */
class LocalClusterLifecycleTest {

    private Path baseDir;
    private List<Long> serverPids = List.of();

    @BeforeEach
    void createBaseDir() throws Exception {
        baseDir = Files.createTempDirectory("gbinlog-lifecycle-");
    }

    @AfterEach
    void removeLeftovers() throws Exception {
        for (long pid : serverPids) {
            ProcessHandle.of(pid).ifPresent(p -> {
                p.destroyForcibly();
                p.onExit().join();
            });
        }
        FileTrees.delete(baseDir);
    }

    @Test
    void jvmExitWithoutCloseStopsTheServers() throws Exception {
        try (ChildJvm owner = ChildJvm.start(ClusterOwnerMain.class, baseDir.toString(), "exit")) {
            Path dir = Path.of(owner.awaitLine("DIR", 120));
            serverPids = pids(owner.awaitLine("PIDS", 120));
            assertEquals(0, owner.waitFor(120));
            assertServersGone();
            assertFalse(Files.exists(dir), "the shutdown hook deleted " + dir);
        }
    }

    @Test
    void serversOfAKilledJvmAreRemovedByTheNextCluster() throws Exception {
        Path dir;
        try (ChildJvm owner = ChildJvm.start(ClusterOwnerMain.class, baseDir.toString(), "wait")) {
            dir = Path.of(owner.awaitLine("DIR", 120));
            serverPids = pids(owner.awaitLine("PIDS", 120));
            owner.kill();
        }
        for (long pid : serverPids) {
            assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                    "kill -9 gives the JVM no chance to stop server " + pid);
        }
        try (LocalCluster next = LocalCluster.builder().nodes(1).baseDir(baseDir).start()) {
            assertServersGone();
            assertFalse(Files.exists(dir), "the next cluster deleted " + dir);
            assertTrue(next.node(0).isRunning());
        }
    }

    private void assertServersGone() {
        for (long pid : serverPids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "server " + pid + " stopped");
        }
    }

    private static List<Long> pids(String csv) {
        return Arrays.stream(csv.split(",")).map(Long::parseLong).toList();
    }
}
