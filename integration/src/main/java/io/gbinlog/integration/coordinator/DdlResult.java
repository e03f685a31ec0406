package io.gbinlog.integration.coordinator;

/**
 * A logical DDL run by {@link Coordinator#ddl}.
 *
 * @param ddlId  N of the {@code /* gbinlog ddl_id=N *}{@code /} marker and the id of its {@code __gbinlog.ddl_log} rows
 * @param ddlLog the transaction that committed the ddl_log rows: its cts is where the logical DDL is in the global
 *               binlog (0 on a one-node cluster, whose ddl_log transaction is local)
 */
public record DdlResult(long ddlId, CommitResult ddlLog) {
}
