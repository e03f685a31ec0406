package io.gbinlog.dumper.schema;

import io.gbinlog.meta.schema.SchemaHistory;
import io.gbinlog.meta.schema.TableSchema;
import io.gbinlog.protocol.packet.ColumnType;
import io.gbinlog.protocol.query.Column;
import io.gbinlog.protocol.query.QueryResult;
import io.gbinlog.protocol.query.Session;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code SHOW CREATE TABLE [db.]t}: the logical table's CREATE TABLE in its latest version. */
final class ShowCreateTable {

    private static final Pattern QUERY = Pattern.compile("SHOW\\s+CREATE\\s+TABLE\\s+" + SqlText.TABLE, SqlText.FLAGS);
    private static final List<Column> COLUMNS = List.of(
            new Column("Table", ColumnType.VARCHAR), new Column("Create Table", ColumnType.VARCHAR));

    private ShowCreateTable() {
    }

    static QueryResult answer(SchemaHistory history, Session session, String statement) {
        Matcher query = QUERY.matcher(statement);
        if (!query.matches()) {
            return null;
        }
        String db = SqlText.schema(SqlText.name(query.group(1)), session);
        String name = SqlText.name(query.group(2));
        if (db == null) {
            return SqlText.noDatabaseSelected();
        }
        TableSchema table = history.table(db, name);
        if (table == null) {
            return SqlText.noSuchTable(db, name);
        }
        return QueryResult.resultSet(COLUMNS, List.of(List.of(table.table(), table.createTable())));
    }
}
