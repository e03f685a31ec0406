package io.gbinlog.meta.schema;

import java.util.List;

/**
 * One column of a logical table version: what {@code DESC} and {@code SHOW FULL COLUMNS} show and what the optional
 * metadata of a table map event carries (name, signedness, collation, enum and set members).
 *
 * @param dataType    lower case, without length or attributes: {@code int}, {@code varchar}, {@code enum}
 * @param columnType  as {@code DESC} shows it: {@code int(11) unsigned}, {@code varchar(20)}, {@code enum('a','b')}
 * @param defaultValue the default as {@code DESC} shows it; null when the column has none
 * @param extra       {@code auto_increment} and the like, or empty
 * @param collation   the collation name of a character, enum or set column; null for other columns
 * @param collationId its id in the data nodes' {@code information_schema.COLLATIONS}; 0 when {@code collation} is null
 * @param values      the members of an enum or set column, else empty
 */
public record ColumnSchema(String name, String dataType, String columnType, boolean unsigned, boolean nullable,
                           String defaultValue, String extra, String collation, int collationId, List<String> values,
                           String comment) {

    public ColumnSchema {
        values = List.copyOf(values);
    }
}
