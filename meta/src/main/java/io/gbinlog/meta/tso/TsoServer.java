package io.gbinlog.meta.tso;

import io.gbinlog.protocol.packet.ColumnType;
import io.gbinlog.protocol.query.QueryResult;
import io.gbinlog.protocol.server.MysqlServer;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Serves the allocator over the MySQL protocol, so any coordinator with any MySQL client can ask
 * {@code SELECT TSO_TIMESTAMP()}. One round trip per value: no client-side ranges, which is what keeps
 * the values linearizable.
 */
public final class TsoServer implements AutoCloseable {
    private static final Pattern TSO_QUERY = Pattern.compile(
            "\\s*SELECT\\s+TSO_TIMESTAMP\\s*\\(\\s*\\)\\s*(?:AS\\s+`?(\\w+)`?\\s*)?;?\\s*",
            Pattern.CASE_INSENSITIVE);

    private final MysqlServer server;

    private TsoServer(MysqlServer server) {
        this.server = server;
    }

    /** Starts serving on host:port (port 0 picks a free one) for the given user → password accounts. */
    public static TsoServer start(TsoAllocator allocator, String host, int port, Map<String, String> users) {
        MysqlServer server = MysqlServer.builder()
                .bind(host, port)
                .users(users)
                .queryHandler((session, sql) -> {
                    var m = TSO_QUERY.matcher(sql);
                    if (!m.matches()) {
                        return QueryResult.unsupported(sql);
                    }
                    String column = m.group(1) != null ? m.group(1) : "TSO_TIMESTAMP()";
                    return QueryResult.singleValue(column, ColumnType.BIGINT, allocator.next());
                })
                .start();
        return new TsoServer(server);
    }

    public int port() {
        return server.port();
    }

    @Override
    public void close() {
        server.close();
    }
}
