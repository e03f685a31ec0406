package io.gbinlog.protocol.binlog;

import java.util.List;

/**
 * What the optional metadata of a table map tells a reader about a table's columns, in the order the table map
 * lists them: MySQL 8.0 writes it with {@code binlog_row_metadata=FULL}, and readers such as mysql-binlog-connector-java
 * take column names from it. {@link TableMetadataEncoder} writes it.
 *
 * @param primaryKey indexes into {@code columns}, in key order; empty when the table has no primary key
 */
public record TableMetadata(List<Column> columns, List<Integer> primaryKey) {

    /**
     * @param unsigned    read for numeric columns only
     * @param collationId the collation of a character, enum or set column; 0 for a binary string or blob (written as
     *                    63, {@code binary}, as MySQL does) and for columns of other types
     * @param values      the members of an enum or set column, else empty
     */
    public record Column(String name, boolean unsigned, int collationId, List<String> values) {

        public Column {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("a column needs a name");
            }
            if (collationId < 0) {
                throw new IllegalArgumentException("column " + name + ": collation id " + collationId + " is negative");
            }
            values = List.copyOf(values);
        }
    }

    public TableMetadata {
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
        for (int index : primaryKey) {
            if (index < 0 || index >= columns.size()) {
                throw new IllegalArgumentException("primary key column index " + index + " is not one of the "
                        + columns.size() + " columns");
            }
        }
    }
}
