package io.gbinlog.meta.schema;

/** The name a consumer sees for a physical table: a logical database and table. */
public record LogicalName(String db, String table) {
}
