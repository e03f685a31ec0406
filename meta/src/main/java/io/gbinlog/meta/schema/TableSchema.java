package io.gbinlog.meta.schema;

import java.util.List;

/**
 * A logical table as it was from cts {@code version} on, until the next version of it.
 *
 * @param version     the cts at which this definition took effect (the first-start cut, or its DDL's cts)
 * @param primaryKey  indexes into {@code columns}, in key order; empty when the table has no primary key
 * @param createTable the {@code CREATE TABLE} statement that gives this definition, with the logical names
 */
public record TableSchema(String db, String table, long version, List<ColumnSchema> columns,
                          List<Integer> primaryKey, String createTable) {

    public TableSchema {
        columns = List.copyOf(columns);
        primaryKey = List.copyOf(primaryKey);
    }
}
