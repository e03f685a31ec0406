package io.gbinlog.dumper.schema;

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
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code SHOW [FULL] TABLES [FROM|IN db] [LIKE 'pattern' | WHERE column =|!=|<>|LIKE 'value']}: the logical
 * tables of a schema, sorted; every one a {@code BASE TABLE} (the history holds no views). The WHERE form is the
 * one tools send ({@code WHERE Table_type = 'BASE TABLE'}): one comparison on either result column.
 */
final class ShowTables {

    private static final String BASE_TABLE = "BASE TABLE";
    private static final Pattern QUERY = Pattern.compile("SHOW(\\s+FULL)?\\s+TABLES"
            + "(?:\\s+(?:FROM|IN)\\s+" + SqlText.NAME + ")?"
            + "(?:\\s+LIKE\\s+" + SqlText.STRING
            + "|\\s+WHERE\\s+" + SqlText.NAME + "\\s*(=|!=|<>|LIKE)\\s*" + SqlText.STRING + ")?", SqlText.FLAGS);

    private ShowTables() {
    }

    static QueryResult answer(SchemaHistory history, Session session, String statement) {
        Matcher query = QUERY.matcher(statement);
        if (!query.matches()) {
            return null;
        }
        boolean full = query.group(1) != null;
        String db = SqlText.schema(SqlText.name(query.group(2)), session);
        if (db == null) {
            return SqlText.noDatabaseSelected();
        }
        if (!history.databases().contains(db)) {
            return QueryResult.unknownDatabase(db);
        }
        String nameColumn = "Tables_in_" + db;
        String like = query.group(3) == null ? null : SqlText.string(query.group(3));
        Predicate<List<String>> where = row -> true;
        if (like != null) {
            Pattern pattern = SessionStatements.likePattern(like);
            where = row -> pattern.matcher(row.get(0)).matches();
        } else if (query.group(4) != null) {
            String column = SqlText.name(query.group(4));
            int index = column.equalsIgnoreCase(nameColumn) ? 0 : column.equalsIgnoreCase("Table_type") && full ? 1 : -1;
            if (index < 0) {
                return QueryResult.error(1054, "42S22", "Unknown column '" + column + "' in 'where clause'");
            }
            where = comparison(index, query.group(5), SqlText.string(query.group(6)));
        }
        List<List<String>> rows = new ArrayList<>();
        for (TableSchema table : history.tables(db)) {
            List<String> row = Arrays.asList(table.table(), BASE_TABLE);
            if (where.test(row)) {
                rows.add(full ? row : row.subList(0, 1));
            }
        }
        rows.sort((a, b) -> a.get(0).compareTo(b.get(0)));
        List<Column> columns = new ArrayList<>();
        columns.add(new Column(like == null ? nameColumn : nameColumn + " (" + like + ")", ColumnType.VARCHAR));
        if (full) {
            columns.add(new Column("Table_type", ColumnType.VARCHAR));
        }
        return QueryResult.resultSet(columns, rows);
    }

    /** Compares as MySQL's case-insensitive collations do. */
    private static Predicate<List<String>> comparison(int index, String operator, String value) {
        return switch (operator.toUpperCase(Locale.ROOT)) {
            case "=" -> row -> row.get(index).equalsIgnoreCase(value);
            case "LIKE" -> {
                Pattern pattern = SessionStatements.likePattern(value);
                yield row -> pattern.matcher(row.get(index)).matches();
            }
            default -> row -> !row.get(index).equalsIgnoreCase(value);
        };
    }
}
