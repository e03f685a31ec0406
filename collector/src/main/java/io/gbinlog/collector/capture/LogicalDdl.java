package io.gbinlog.collector.capture;

/**
 * One row of {@code __gbinlog.ddl_log (id, schema_name, ddl)}: a logical DDL as the coordinator ran it (design §2).
 * Every branch of the distributed transaction that commits the DDL carries the same row.
 *
 * @param id     the DDL's id, a TSO value; its physical DDLs carry it in their {@code /* gbinlog ddl_id=N *}{@code /}
 * @param schema the default database of the logical DDL; empty when none
 * @param ddl    the logical statement
 */
public record LogicalDdl(long id, String schema, String ddl) {
}
