package io.gbinlog.dumper.query;

import io.gbinlog.dumper.gtid.GtidSet;
import io.gbinlog.protocol.packet.ColumnType;
import io.gbinlog.protocol.query.Column;
import io.gbinlog.protocol.query.QueryHandler;
import io.gbinlog.protocol.query.QueryResult;
import io.gbinlog.protocol.query.Session;
import io.gbinlog.protocol.query.SessionStatements;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What CDC connectors (Debezium and its Connector/J) send around reading the binlog, answered as a MySQL 8.0
 * primary answers them: transaction control and the global read lock of a snapshot ({@code START TRANSACTION WITH
 * CONSISTENT SNAPSHOT}, {@code COMMIT}, {@code ROLLBACK}, {@code FLUSH TABLES WITH READ LOCK}, {@code UNLOCK
 * TABLES}), {@code SHOW GRANTS}, {@code SHOW STATUS} and the GTID set functions {@code GTID_SUBTRACT} /
 * {@code GTID_SUBSET}. Everything else goes to the next handler.
 *
 * <p>Transactions and locks have nothing to guard here: no statement writes the global binlog, only the merger
 * appends to it, and what a snapshot reads (the schema, {@code SHOW MASTER STATUS}) is read per statement.
 */
public final class ClientQueries implements QueryHandler {

    private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.DOTALL;
    private static final String CHARACTERISTIC = "(?:WITH\\s+CONSISTENT\\s+SNAPSHOT|READ\\s+ONLY|READ\\s+WRITE)";
    private static final Pattern TRANSACTION = Pattern.compile("BEGIN(?:\\s+WORK)?"
            + "|START\\s+TRANSACTION(?:\\s+" + CHARACTERISTIC + "(?:\\s*,\\s*" + CHARACTERISTIC + ")*)?"
            + "|(?:COMMIT|ROLLBACK)(?:\\s+WORK)?", FLAGS);
    private static final Pattern LOCKS = Pattern.compile(
            "FLUSH\\s+(?:LOCAL\\s+|NO_WRITE_TO_BINLOG\\s+)?TABLES(?:\\s+WITH\\s+READ\\s+LOCK)?|UNLOCK\\s+TABLES", FLAGS);
    private static final Pattern STATUS = Pattern.compile(
            "SHOW\\s+(?:GLOBAL\\s+|SESSION\\s+|LOCAL\\s+)?STATUS(?:\\s+LIKE\\s+'((?:[^'\\\\]|\\\\.|'')*)')?", FLAGS);
    private static final String NAME = "(?:'([^']*)'|`([^`]*)`|\"([^\"]*)\"|([\\w$.-]+))";
    private static final Pattern GRANTS = Pattern.compile("SHOW\\s+GRANTS(?:\\s+FOR\\s+(?:(CURRENT_USER)(?:\\s*\\(\\s*\\))?"
            + "|" + NAME + "(?:\\s*@\\s*" + NAME + ")?))?", FLAGS);
    private static final String STRING = "'((?:[^'\\\\]|\\\\.|'')*)'";
    private static final Pattern GTID_FUNCTION = Pattern.compile("SELECT\\s+(GTID_(SUBTRACT|SUBSET)\\s*\\(\\s*" + STRING
            + "\\s*,\\s*" + STRING + "\\s*\\))(?:\\s+(?:AS\\s+)?(?:`([^`]*)`|(\\w+)))?", FLAGS);
    /** What the dumper lets its accounts do: read the binlog and what a CDC snapshot of it needs. */
    private static final String PRIVILEGES = "SELECT, RELOAD, SHOW DATABASES, LOCK TABLES, REPLICATION SLAVE,"
            + " REPLICATION CLIENT";

    private final QueryHandler next;
    private final long startedNanos = System.nanoTime();

    /** @param next answers what is not a client's boilerplate (the binlog statements, schema questions...) */
    public ClientQueries(QueryHandler next) {
        this.next = Objects.requireNonNull(next, "next query handler");
    }

    @Override
    public QueryResult handle(Session session, String sql) throws Exception {
        String statement = StatementText.bare(sql);
        if (TRANSACTION.matcher(statement).matches() || LOCKS.matcher(statement).matches()) {
            return QueryResult.ok();
        }
        Matcher status = STATUS.matcher(statement);
        if (status.matches()) {
            return status(status.group(1) == null ? null : unquote(status.group(1)));
        }
        Matcher grants = GRANTS.matcher(statement);
        if (grants.matches()) {
            return grants(session, grants);
        }
        Matcher gtid = GTID_FUNCTION.matcher(statement);
        if (gtid.matches()) {
            return gtidFunction(gtid);
        }
        return next.handle(session, sql);
    }

    /** The status variables clients read: no TLS on this server, and how long it has been up. */
    private QueryResult status(String like) {
        Map<String, String> values = Map.of(
                "Ssl_cipher", "",
                "Ssl_version", "",
                "Uptime", Long.toString((System.nanoTime() - startedNanos) / 1_000_000_000L));
        Pattern filter = like == null ? null : SessionStatements.likePattern(like);
        List<List<Object>> rows = new ArrayList<>();
        values.keySet().stream().sorted().filter(name -> filter == null || filter.matcher(name).matches())
                .forEach(name -> rows.add(List.of(name, values.get(name))));
        return QueryResult.resultSet(List.of(new Column("Variable_name", ColumnType.VARCHAR),
                new Column("Value", ColumnType.VARCHAR)), rows);
    }

    /** Every account has the same grants; another account's are MySQL's "no such grant" error. */
    private static QueryResult grants(Session session, Matcher m) {
        String user = session.user();
        String named = first(m, 2);
        if (named != null) {
            String host = first(m, 6);
            if (!named.equals(user) || (host != null && !host.equals("%"))) {
                return QueryResult.error(1141, "42000", "There is no such grant defined for user '" + named
                        + "' on host '" + (host == null ? "%" : host) + "'");
            }
        }
        String grant = "GRANT " + PRIVILEGES + " ON *.* TO `" + user.replace("`", "``") + "`@`%`";
        return QueryResult.singleValue("Grants for " + user + "@%", ColumnType.VARCHAR, grant);
    }

    /** The first non-null of the four alternatives of {@link #NAME} starting at {@code group}. */
    private static String first(Matcher m, int group) {
        for (int g = group; g < group + 4; g++) {
            if (m.group(g) != null) {
                return m.group(g);
            }
        }
        return null;
    }

    private static QueryResult gtidFunction(Matcher m) {
        GtidSet left;
        GtidSet right;
        try {
            left = GtidSet.parse(unquote(m.group(3)));
            right = GtidSet.parse(unquote(m.group(4)));
        } catch (IllegalArgumentException e) {
            return QueryResult.error(1772, "HY000", e.getMessage());
        }
        String name = m.group(5) != null ? m.group(5) : m.group(6) != null ? m.group(6) : m.group(1);
        if (m.group(2).equalsIgnoreCase("SUBTRACT")) {
            return QueryResult.singleValue(name, ColumnType.VARCHAR, left.subtract(right).toString());
        }
        return QueryResult.singleValue(name, ColumnType.BIGINT, left.isSubsetOf(right) ? 1 : 0);
    }

    /** The text of a single-quoted literal's body: {@code ''} and backslash escapes as MySQL reads them. */
    private static String unquote(String body) {
        StringBuilder text = new StringBuilder(body.length());
        for (int i = 0; i < body.length(); i++) {
            char c = body.charAt(i);
            if (c == '\'' && i + 1 < body.length() && body.charAt(i + 1) == '\'') {
                text.append('\'');
                i++;
            } else if (c == '\\' && i + 1 < body.length()) {
                char escaped = body.charAt(++i);
                text.append(switch (escaped) {
                    case 'n' -> '\n';
                    case 'r' -> '\r';
                    case 't' -> '\t';
                    case '0' -> '\0';
                    case 'Z' -> '\032';
                    case 'b' -> '\b';
                    case '%', '_' -> '\\'; // kept escaped, for LIKE
                    default -> escaped;
                });
                if (escaped == '%' || escaped == '_') {
                    text.append(escaped);
                }
            } else {
                text.append(c);
            }
        }
        return text.toString();
    }
}
