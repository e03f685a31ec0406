package io.gbinlog.meta.schema;

/** A DDL the schema history cannot apply, or a schema that cannot be read (shards of one table that differ). */
public class SchemaException extends Exception {
    public SchemaException(String message) {
        super(message);
    }

    public SchemaException(String message, Throwable cause) {
        super(message, cause);
    }
}
