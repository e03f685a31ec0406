package io.gbinlog.dumper.schema;

import io.gbinlog.meta.schema.SchemaHistory;
import io.gbinlog.protocol.query.QueryResult;
import io.gbinlog.protocol.query.Session;
import java.util.Objects;

/**
 * The schema questions replicas and CDC tools ask a primary, answered from the latest version of the schema
 * history with the logical names: {@code SHOW DATABASES}, {@code SHOW [FULL] TABLES}, {@code SHOW CREATE TABLE},
 * {@code DESC}, {@code SHOW [FULL] COLUMNS} and {@code information_schema.SCHEMATA}. Unknown schemas and tables get MySQL's errors 1049 and 1146.
 */
public final class SchemaQueries {

    private final SchemaHistory history;

    public SchemaQueries(SchemaHistory history) {
        this.history = Objects.requireNonNull(history, "schema history");
    }

    /** The answer to {@code sql} if it is a schema question, else null. */
    public QueryResult answer(Session session, String sql) {
        String statement = SqlText.statement(sql);
        QueryResult result = ShowDatabases.answer(history, statement);
        if (result == null) {
            result = ShowTables.answer(history, session, statement);
        }
        if (result == null) {
            result = ShowCreateTable.answer(history, session, statement);
        }
        if (result == null) {
            result = ShowColumns.answer(history, session, statement);
        }
        if (result == null) {
            result = Schemata.answer(history, statement);
        }
        return result;
    }

    /** Whether {@code db} is a logical schema: what USE, COM_INIT_DB and a handshake's database may name. */
    public boolean hasDatabase(String db) {
        return history.databases().contains(db);
    }
}
