package io.gbinlog.dumper.schema;

import io.gbinlog.meta.schema.SchemaHistory;
import io.gbinlog.protocol.packet.ColumnType;
import io.gbinlog.protocol.query.Column;
import io.gbinlog.protocol.query.QueryResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code SELECT <columns> FROM information_schema.SCHEMATA [WHERE SCHEMA_NAME = '...']}: the logical schemas, as
 * {@code SHOW DATABASES} lists them. Debezium reads every schema's default charset so in its snapshot. The history
 * keeps no schema defaults: each schema has the server's ({@code character_set_server}, {@code collation_server}),
 * and a table's CREATE TABLE names its own charset anyway.
 */
final class Schemata {

    private static final Pattern QUERY = Pattern.compile("SELECT\\s+(\\*|[\\w`]+(?:\\s*,\\s*[\\w`]+)*)\\s+FROM\\s+"
            + SqlText.NAME + "\\s*\\.\\s*" + SqlText.NAME
            + "(?:\\s+WHERE\\s+" + SqlText.NAME + "\\s*=\\s*" + SqlText.STRING + ")?", SqlText.FLAGS);
    private static final String CHARSET = "utf8mb4";
    private static final String COLLATION = "utf8mb4_general_ci";
    /** MySQL 8.0's columns of the view, in order; it names result columns by them, upper case. */
    private static final List<String> COLUMNS = List.of("CATALOG_NAME", "SCHEMA_NAME", "DEFAULT_CHARACTER_SET_NAME",
            "DEFAULT_COLLATION_NAME", "SQL_PATH", "DEFAULT_ENCRYPTION");

    private Schemata() {
    }

    static QueryResult answer(SchemaHistory history, String statement) {
        Matcher query = QUERY.matcher(statement);
        if (!query.matches() || !SqlText.name(query.group(2)).equalsIgnoreCase("information_schema")
                || !SqlText.name(query.group(3)).equalsIgnoreCase("schemata")) {
            return null;
        }
        List<String> selected = new ArrayList<>();
        for (String item : query.group(1).equals("*") ? COLUMNS : Arrays.asList(query.group(1).split("\\s*,\\s*"))) {
            String column = SqlText.name(item.strip()).toUpperCase(Locale.ROOT);
            if (!COLUMNS.contains(column)) {
                return unknownColumn(item);
            }
            selected.add(column);
        }
        String only = null;
        if (query.group(4) != null) {
            if (!SqlText.name(query.group(4)).equalsIgnoreCase("SCHEMA_NAME")) {
                return null;
            }
            only = SqlText.string(query.group(5));
        }
        List<List<Object>> rows = new ArrayList<>();
        for (String db : history.databases().stream().sorted().toList()) {
            if (only != null && !only.equalsIgnoreCase(db)) {
                continue;
            }
            rows.add(selected.stream().map(column -> value(column, db)).toList());
        }
        List<Column> columns = selected.stream().map(name -> new Column(name, ColumnType.VARCHAR)).toList();
        return QueryResult.resultSet(columns, rows);
    }

    private static Object value(String column, String db) {
        return switch (column) {
            case "CATALOG_NAME" -> "def";
            case "SCHEMA_NAME" -> db;
            case "DEFAULT_CHARACTER_SET_NAME" -> CHARSET;
            case "DEFAULT_COLLATION_NAME" -> COLLATION;
            case "DEFAULT_ENCRYPTION" -> "NO";
            default -> null; // SQL_PATH, always NULL
        };
    }

    private static QueryResult unknownColumn(String item) {
        return QueryResult.error(1054, "42S22", "Unknown column '" + SqlText.name(item.strip()) + "' in 'field list'");
    }
}
