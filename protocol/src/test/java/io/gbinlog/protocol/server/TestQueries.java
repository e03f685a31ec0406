package io.gbinlog.protocol.server;

import io.gbinlog.protocol.packet.ColumnType;
import io.gbinlog.protocol.query.QueryResult;
import io.gbinlog.protocol.query.Session;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** The application side of the tests: a few statements with known answers. */
final class TestQueries {

    static final Map<String, String> USERS = Map.of("u", "pw", "nopw", "");
    static final long FIRST_TIMESTAMP = 7_000_000_000_000_000_000L;

    private final AtomicLong timestamps = new AtomicLong(FIRST_TIMESTAMP);

    QueryResult handle(Session session, String sql) {
        String statement = sql.strip().toUpperCase(Locale.ROOT);
        if (statement.equals("SELECT NEXT_TS()")) {
            return QueryResult.singleValue("NEXT_TS()", ColumnType.BIGINT, timestamps.incrementAndGet());
        }
        if (statement.equals("SELECT FAIL()")) {
            throw new IllegalStateException("allocator unavailable");
        }
        if (statement.equals("SELECT DENY()")) {
            return QueryResult.error(1227, "42000", "Access denied; you need the SUPER privilege");
        }
        if (statement.startsWith("SELECT LENGTH('")) {
            return QueryResult.singleValue("length", ColumnType.BIGINT, sql.length());
        }
        if (statement.startsWith("SELECT REPEAT('X', ")) {
            int count = Integer.parseInt(statement.replaceAll("\\D", ""));
            return QueryResult.singleValue("repeat", ColumnType.VARCHAR, "x".repeat(count));
        }
        return QueryResult.unsupported(sql);
    }
}
