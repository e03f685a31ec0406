package io.gbinlog.server.cli;

import io.gbinlog.collector.node.SettingsException;
import io.gbinlog.meta.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code gbinlog} executable: one command per way of running the system. */
@Command(name = "gbinlog",
        mixinStandardHelpOptions = true,
        versionProvider = GbinlogCommand.Version.class,
        description = "One global binlog for a sharded MySQL/MariaDB cluster.",
        subcommands = {RunCommand.class, TsoCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class GbinlogCommand {

    /** The binlog connector logs every replica connect at INFO through java.util.logging; held, or the level is lost. */
    private static final java.util.logging.Logger CONNECTOR_LOG =
            java.util.logging.Logger.getLogger("com.github.shyiko.mysql.binlog");

    public static void main(String[] args) {
        CONNECTOR_LOG.setLevel(java.util.logging.Level.WARNING);
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new GbinlogCommand());
        // A bad setting is the user's to fix: say what is wrong, without a stack trace.
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigException || e instanceof SettingsException) {
                commandLine.getErr().println("gbinlog: " + e.getMessage());
                return 2;
            }
            throw e;
        });
        return cli;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = GbinlogCommand.class.getPackage().getImplementationVersion();
            return new String[] {"gbinlog " + (v == null ? "(development build)" : v)};
        }
    }
}
