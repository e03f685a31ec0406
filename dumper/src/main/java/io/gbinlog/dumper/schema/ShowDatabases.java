package io.gbinlog.dumper.schema;

import io.gbinlog.meta.schema.SchemaHistory;
import io.gbinlog.protocol.packet.ColumnType;
import io.gbinlog.protocol.query.Column;
import io.gbinlog.protocol.query.QueryResult;
import io.gbinlog.protocol.query.SessionStatements;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code SHOW DATABASES|SCHEMAS [LIKE 'pattern']}: the logical schemas of the history, sorted. */
final class ShowDatabases {

    private static final Pattern QUERY = Pattern.compile(
            "SHOW\\s+(?:DATABASES|SCHEMAS)(?:\\s+LIKE\\s+" + SqlText.STRING + ")?", SqlText.FLAGS);

    private ShowDatabases() {
    }

    static QueryResult answer(SchemaHistory history, String statement) {
        Matcher query = QUERY.matcher(statement);
        if (!query.matches()) {
            return null;
        }
        String like = query.group(1) == null ? null : SqlText.string(query.group(1));
        Pattern filter = like == null ? null : SessionStatements.likePattern(like);
        List<List<String>> rows = new ArrayList<>();
        for (String db : history.databases().stream().sorted().toList()) {
            if (filter == null || filter.matcher(db).matches()) {
                rows.add(List.of(db));
            }
        }
        String column = like == null ? "Database" : "Database (" + like + ")";
        return QueryResult.resultSet(List.of(new Column(column, ColumnType.VARCHAR)), rows);
    }
}
