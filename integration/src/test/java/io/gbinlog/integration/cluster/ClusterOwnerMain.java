package io.gbinlog.integration.cluster;

import java.nio.file.Path;
import java.util.stream.Collectors;

/** Child JVM for {@link LocalClusterLifecycleTest}: starts a cluster, never closes it. */
public final class ClusterOwnerMain {

    private ClusterOwnerMain() {
    }

    /** Arguments: base directory, then "exit" (leave through System.exit) or "wait" (until killed). */
    public static void main(String[] args) throws Exception {
        LocalCluster cluster = LocalCluster.builder().nodes(2).baseDir(Path.of(args[0])).start();
        System.out.println("DIR " + cluster.directory());
        System.out.println("PIDS " + cluster.nodes().stream().map(n -> Long.toString(n.pid()))
                .collect(Collectors.joining(",")));
        System.out.flush();
        if (args[1].equals("exit")) {
            System.exit(0);
        }
        System.in.read();
    }
}
