package io.gbinlog.protocol.query;

import io.gbinlog.protocol.packet.ColumnType;

/** A typed value of a user variable or a boilerplate SELECT item; {@code text} is null for SQL NULL. */
record SqlValue(ColumnType type, String text) {

    static final SqlValue NULL = new SqlValue(ColumnType.VARCHAR, null);

    static SqlValue string(String text) {
        return new SqlValue(ColumnType.VARCHAR, text);
    }

    static SqlValue integer(long value) {
        return new SqlValue(ColumnType.BIGINT, Long.toString(value));
    }

    /** Variable values arrive as text: integers are typed as such, so clients can read them as numbers. */
    static SqlValue inferred(String text) {
        if (text == null) {
            return NULL;
        }
        if (text.matches("-?\\d{1,18}")) {
            return new SqlValue(ColumnType.BIGINT, text);
        }
        return string(text);
    }
}
