package io.gbinlog.server.cli;

import io.gbinlog.meta.config.ConfigException;
import io.gbinlog.meta.config.GbinlogConfig;
import io.gbinlog.meta.config.HostPort;
import io.gbinlog.meta.tso.TsoAllocator;
import io.gbinlog.meta.tso.TsoServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** Runs the TSO server alone, for coordinators to take commit timestamps from. */
@Command(name = "tso", mixinStandardHelpOptions = true,
        header = "Serve the TSO alone.",
        description = {"Serve the TSO alone: SELECT TSO_TIMESTAMP() over the MySQL protocol.",
                "Uses tso.listen, users and storage.dir (the lease file) of the configuration."})
final class TsoCommand implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "YAML configuration file")
    Path config;

    @Override
    public Integer call() throws InterruptedException {
        GbinlogConfig cfg = GbinlogConfig.load(config);
        HostPort listen = cfg.requireTsoListen();
        if (cfg.users().isEmpty()) {
            throw new ConfigException(config + ": users: no accounts configured, so nobody could connect to the TSO");
        }
        Path lease = cfg.storage().tsoLeaseFile();
        try (TsoAllocator allocator = TsoAllocator.open(lease);
             TsoServer server = TsoServer.start(allocator, listen.host(), listen.port(), cfg.userPasswords())) {
            System.out.printf("gbinlog TSO serving SELECT TSO_TIMESTAMP() on %s:%d (lease %s); Ctrl-C stops it%n",
                    listen.host(), server.port(), lease);
            Shutdown.onSignal();
            Shutdown.await(0);
        }
        System.out.println("gbinlog TSO stopped");
        return 0;
    }
}
