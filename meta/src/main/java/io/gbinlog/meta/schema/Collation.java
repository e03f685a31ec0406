package io.gbinlog.meta.schema;

/** One row of the data nodes' {@code information_schema.COLLATIONS}. */
public record Collation(int id, String name, String charset, boolean isDefault) {
}
