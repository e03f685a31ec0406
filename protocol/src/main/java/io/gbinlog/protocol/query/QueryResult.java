package io.gbinlog.protocol.query;

import io.gbinlog.protocol.packet.ColumnType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** What a statement returns: an OK, an error, or a text result set. */
public sealed interface QueryResult permits QueryResult.Ok, QueryResult.Error, QueryResult.ResultSet {

    /** Longest statement prefix quoted back in an "unsupported" error. */
    int QUOTED_SQL_LIMIT = 200;

    static Ok ok() {
        return new Ok(0, 0, "");
    }

    static Error error(int code, String sqlState, String message) {
        return new Error(code, sqlState, message);
    }

    /** The error for a statement this server does not implement (ER_NOT_SUPPORTED_YET). */
    static Error unsupported(String sql) {
        String quoted = sql.length() > QUOTED_SQL_LIMIT ? sql.substring(0, QUOTED_SQL_LIMIT) + "..." : sql;
        return new Error(1235, "42000", "gbinlog does not support this statement: " + quoted.strip());
    }

    /** ER_BAD_DB_ERROR: the statement names a schema this server does not have. */
    static Error unknownDatabase(String schema) {
        return new Error(1049, "42000", "Unknown database '" + schema + "'");
    }

    /** Values are rendered as text: null is SQL NULL, byte[] is sent as is, anything else as toString(). */
    @SuppressWarnings("unchecked")
    static ResultSet resultSet(List<Column> columns, List<? extends List<?>> rows) {
        return new ResultSet(columns, (List<List<Object>>) rows); // the constructor copies every row
    }

    static ResultSet singleValue(String columnName, ColumnType type, Object value) {
        return resultSet(List.of(new Column(columnName, type)), List.of(Collections.singletonList(value)));
    }

    record Ok(long affectedRows, long lastInsertId, String info) implements QueryResult {
    }

    record Error(int code, String sqlState, String message) implements QueryResult {

        public Error {
            if (sqlState == null || sqlState.length() != 5) {
                throw new IllegalArgumentException("SQLSTATE must have 5 characters, got '" + sqlState + "'");
            }
            if (code < 1 || code > 0xFFFF) {
                throw new IllegalArgumentException("error code must be in 1..65535, got " + code);
            }
        }
    }

    record ResultSet(List<Column> columns, List<List<Object>> rows) implements QueryResult {

        public ResultSet {
            columns = List.copyOf(columns);
            if (columns.isEmpty()) {
                throw new IllegalArgumentException("a result set needs at least one column");
            }
            rows = copyRows(columns.size(), rows);
        }

        private static List<List<Object>> copyRows(int width, List<? extends List<?>> rows) {
            List<List<Object>> copy = new ArrayList<>(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                List<?> row = rows.get(i);
                if (row.size() != width) {
                    throw new IllegalArgumentException("row " + i + " has " + row.size() + " values but the result set has "
                            + width + " columns");
                }
                copy.add(Collections.unmodifiableList(new ArrayList<>(row)));
            }
            return Collections.unmodifiableList(copy);
        }
    }
}
