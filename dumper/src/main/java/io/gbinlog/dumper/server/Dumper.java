package io.gbinlog.dumper.server;

import io.gbinlog.dumper.query.ClientQueries;
import io.gbinlog.dumper.query.ReplicationQueries;
import io.gbinlog.dumper.replica.ReplicaRegistry;
import io.gbinlog.dumper.schema.SchemaQueries;
import io.gbinlog.dumper.stream.BinlogDumps;
import io.gbinlog.dumper.stream.DumpMetrics;
import io.gbinlog.meta.config.GbinlogConfig;
import io.gbinlog.meta.config.HostPort;
import io.gbinlog.merger.writer.GlobalBinlog;
import io.gbinlog.meta.schema.SchemaHistory;
import io.gbinlog.protocol.binlog.FormatDescriptionEventEncoder;
import io.gbinlog.protocol.packet.Commands;
import io.gbinlog.protocol.query.QueryHandler;
import io.gbinlog.protocol.query.QueryResult;
import io.gbinlog.protocol.server.MysqlServer;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;

/**
 * The dumper: a MySQL 8.0 primary whose binlog is the global binlog. Replicas (MySQL, MariaDB with
 * {@code MASTER_USE_GTID=no}), {@code mysqlbinlog}/{@code mariadb-binlog --read-from-remote-server} and CDC tools
 * (Canal, Debezium, Maxwell) connect with a configured account and stream it by file and position or by GTID set.
 *
 * <pre>{@code
 * try (Dumper dumper = Dumper.start(log, history, HostPort.parse("127.0.0.1:3307"), Map.of("repl", "secret"))) {
 *     ... // replicas connect to dumper.port()
 * }
 * }</pre>
 */
public final class Dumper implements AutoCloseable {

    /** Binlog reads for all replicas; streams take turns a batch at a time. */
    private static final int READER_THREADS = 2;

    private final MysqlServer server;
    private final BinlogDumps dumps;

    private Dumper(MysqlServer server, BinlogDumps dumps) {
        this.server = server;
        this.dumps = dumps;
    }

    /**
     * Serves {@code log} on {@code listen} (port 0: any free port) to the given user → password accounts, and
     * answers schema questions ({@code SHOW CREATE TABLE}, {@code DESC}, ...) from {@code history}.
     */
    public static Dumper start(GlobalBinlog log, SchemaHistory history, HostPort listen, Map<String, String> users) {
        Objects.requireNonNull(history, "schema history");
        return start(log, new SchemaQueries(history), listen, users);
    }

    /**
     * Serves {@code log} without a schema history: schema questions get MySQL's "not supported" error. For a
     * binlog whose readers ask none (replicas, mysqlbinlog).
     */
    public static Dumper start(GlobalBinlog log, HostPort listen, Map<String, String> users) {
        return start(log, (SchemaQueries) null, listen, users);
    }

    private static Dumper start(GlobalBinlog log, SchemaQueries schema, HostPort listen, Map<String, String> users) {
        Objects.requireNonNull(log, "global binlog");
        Objects.requireNonNull(listen, "dumper.listen");
        BinlogDumps dumps = new BinlogDumps(log, READER_THREADS);
        ReplicaRegistry replicas = new ReplicaRegistry(log.config().serverId());
        try {
            QueryHandler queries = new ClientQueries(new ReplicationQueries(log, replicas));
            MysqlServer.Builder builder = MysqlServer.builder()
                    .bind(listen.host(), listen.port())
                    .users(users)
                    .serverVersion(FormatDescriptionEventEncoder.SERVER_VERSION)
                    .variables(SourceVariables.fixed(log))
                    .queryHandler(schema == null ? queries : schemaFirst(schema, queries))
                    .command(Commands.REGISTER_SLAVE, replicas::register)
                    .command(Commands.BINLOG_DUMP, dumps::dump)
                    .command(Commands.BINLOG_DUMP_GTID, dumps::dumpGtid);
            SourceVariables.live(log).forEach(builder::variable);
            if (schema != null) {
                builder.schemas(schema::hasDatabase);
            }
            return new Dumper(builder.start(), dumps);
        } catch (RuntimeException e) {
            dumps.close();
            throw e;
        }
    }

    private static QueryHandler schemaFirst(SchemaQueries schema, QueryHandler queries) {
        return (session, sql) -> {
            QueryResult answer = schema.answer(session, sql);
            return answer != null ? answer : queries.handle(session, sql);
        };
    }

    /** Serves {@code log} as configured by {@code dumper.listen} and {@code users}, schema answers from {@code history}. */
    public static Dumper start(GlobalBinlog log, SchemaHistory history, GbinlogConfig config) {
        Objects.requireNonNull(history, "schema history");
        return start(log, new SchemaQueries(history), listen(config), config.userPasswords());
    }

    /** Serves {@code log} as configured by {@code dumper.listen} and {@code users}, without a schema history. */
    public static Dumper start(GlobalBinlog log, GbinlogConfig config) {
        return start(log, (SchemaQueries) null, listen(config), config.userPasswords());
    }

    private static HostPort listen(GbinlogConfig config) {
        if (config.dumper() == null || config.dumper().listen() == null) {
            throw new IllegalArgumentException("dumper.listen: required to serve the global binlog to replicas"
                    + " (e.g. dumper: {listen: 127.0.0.1:3307})");
        }
        return config.dumper().listen();
    }

    public int port() {
        return server.port();
    }

    public InetSocketAddress address() {
        return server.address();
    }

    public DumpMetrics metrics() {
        return dumps.metrics();
    }

    /** Closes every replica connection, then stops the reader threads. */
    @Override
    public void close() {
        server.close();
        dumps.close();
    }
}
