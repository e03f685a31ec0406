package io.gbinlog.dumper.schema;

import io.gbinlog.meta.schema.ColumnSchema;
import io.gbinlog.meta.schema.SchemaHistory;
import io.gbinlog.meta.schema.TableSchema;
import io.gbinlog.protocol.packet.ColumnType;
import io.gbinlog.protocol.query.Column;
import io.gbinlog.protocol.query.QueryResult;
import io.gbinlog.protocol.query.Session;
import io.gbinlog.protocol.query.SessionStatements;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code DESC|DESCRIBE|EXPLAIN [db.]t [column|'pattern']} and {@code SHOW [FULL] COLUMNS|FIELDS FROM|IN [db.]t
 * [FROM|IN db] [LIKE 'pattern']}: the columns of the logical table's latest version, in table order, shaped as
 * MariaDB 10.11 and MySQL 8.0 shape them.
 */
final class ShowColumns {

    private static final Pattern DESCRIBE = Pattern.compile("(?:DESC|DESCRIBE|EXPLAIN)\\s+" + SqlText.TABLE
            + "(?:\\s+(?:" + SqlText.NAME + "|" + SqlText.STRING + "))?", SqlText.FLAGS);
    private static final Pattern SHOW = Pattern.compile("SHOW(\\s+FULL)?\\s+(?:COLUMNS|FIELDS)\\s+(?:FROM|IN)\\s+"
            + SqlText.TABLE + "(?:\\s+(?:FROM|IN)\\s+" + SqlText.NAME + ")?"
            + "(?:\\s+LIKE\\s+" + SqlText.STRING + ")?", SqlText.FLAGS);
    /** EXPLAIN of a statement is not a question about a table. */
    private static final Set<String> NOT_A_TABLE = Set.of("SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE", "WITH",
            "TABLE", "VALUES", "FORMAT", "EXTENDED", "PARTITIONS", "ANALYZE", "FOR");
    private static final String PRIVILEGES = "select,insert,update,references";
    private static final List<Column> COLUMNS = columns("Field", "Type", "Null", "Key", "Default", "Extra");
    private static final List<Column> FULL_COLUMNS = columns("Field", "Type", "Collation", "Null", "Key", "Default",
            "Extra", "Privileges", "Comment");

    private ShowColumns() {
    }

    static QueryResult answer(SchemaHistory history, Session session, String statement) {
        Matcher describe = DESCRIBE.matcher(statement);
        if (describe.matches()) {
            String bare = describe.group(2);
            if (describe.group(1) == null && NOT_A_TABLE.contains(bare.toUpperCase(Locale.ROOT))) {
                return null;
            }
            String column = describe.group(3) != null ? SqlText.name(describe.group(3))
                    : describe.group(4) != null ? SqlText.string(describe.group(4)) : null;
            return columns(history, SqlText.schema(SqlText.name(describe.group(1)), session),
                    SqlText.name(bare), false, column);
        }
        Matcher show = SHOW.matcher(statement);
        if (show.matches()) {
            String db = show.group(4) != null ? SqlText.name(show.group(4)) : SqlText.name(show.group(2));
            String like = show.group(5) == null ? null : SqlText.string(show.group(5));
            return columns(history, SqlText.schema(db, session), SqlText.name(show.group(3)), show.group(1) != null, like);
        }
        return null;
    }

    private static QueryResult columns(SchemaHistory history, String db, String name, boolean full, String like) {
        if (db == null) {
            return SqlText.noDatabaseSelected();
        }
        TableSchema table = history.table(db, name);
        if (table == null) {
            return SqlText.noSuchTable(db, name);
        }
        Pattern filter = like == null ? null : SessionStatements.likePattern(like);
        List<String> keys = ColumnKeys.of(table);
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < table.columns().size(); i++) {
            ColumnSchema column = table.columns().get(i);
            if (filter != null && !filter.matcher(column.name()).matches()) {
                continue;
            }
            String nullable = column.nullable() ? "YES" : "NO";
            String extra = column.extra() == null ? "" : column.extra();
            rows.add(full
                    ? Arrays.asList(column.name(), column.columnType(), column.collation(), nullable, keys.get(i),
                            column.defaultValue(), extra, PRIVILEGES, column.comment() == null ? "" : column.comment())
                    : Arrays.asList(column.name(), column.columnType(), nullable, keys.get(i), column.defaultValue(),
                            extra));
        }
        return QueryResult.resultSet(full ? FULL_COLUMNS : COLUMNS, rows);
    }

    private static List<Column> columns(String... names) {
        return Arrays.stream(names).map(name -> new Column(name, ColumnType.VARCHAR)).toList();
    }
}
