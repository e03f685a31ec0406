package io.gbinlog.dumper.query;

import io.gbinlog.dumper.gtid.LogHead;
import io.gbinlog.dumper.replica.ReplicaRegistry;
import io.gbinlog.merger.writer.BinlogPosition;
import io.gbinlog.merger.writer.GlobalBinlog;
import io.gbinlog.protocol.packet.ColumnType;
import io.gbinlog.protocol.query.Column;
import io.gbinlog.protocol.query.QueryHandler;
import io.gbinlog.protocol.query.QueryResult;
import io.gbinlog.protocol.query.Session;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The statements about the binlog a primary answers, beyond session boilerplate (which the protocol server
 * answers itself): {@code SHOW MASTER STATUS} / {@code SHOW BINARY LOG STATUS}, {@code SHOW BINARY LOGS} /
 * {@code SHOW MASTER LOGS}, {@code SHOW BINLOG EVENTS} and {@code SHOW REPLICAS} / {@code SHOW SLAVE HOSTS}.
 * Anything else gets MySQL's ER_NOT_SUPPORTED_YET and the connection goes on.
 */
public final class ReplicationQueries implements QueryHandler {

    private static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.DOTALL;
    private static final Pattern STATUS = Pattern.compile("SHOW\\s+(?:MASTER|BINARY\\s+LOG)\\s+STATUS", FLAGS);
    private static final Pattern LOGS = Pattern.compile("SHOW\\s+(?:BINARY|MASTER)\\s+LOGS", FLAGS);
    private static final Pattern REPLICAS = Pattern.compile("SHOW\\s+(REPLICAS|SLAVE\\s+HOSTS)", FLAGS);
    private static final Pattern EVENTS = Pattern.compile("SHOW\\s+BINLOG\\s+EVENTS"
            + "(?:\\s+IN\\s+(?:'([^']*)'|\"([^\"]*)\"))?"
            + "(?:\\s+FROM\\s+(\\d+))?"
            + "(?:\\s+LIMIT\\s+(\\d+)(?:\\s*,\\s*(\\d+))?)?", FLAGS);

    private final GlobalBinlog log;
    private final UUID clusterUuid;
    private final ReplicaRegistry replicas;

    public ReplicationQueries(GlobalBinlog log, ReplicaRegistry replicas) {
        this.log = log;
        this.clusterUuid = log.config().clusterUuid();
        this.replicas = replicas;
    }

    @Override
    public QueryResult handle(Session session, String sql) throws Exception {
        String statement = StatementText.bare(sql);
        if (STATUS.matcher(statement).matches()) {
            return masterStatus();
        }
        if (LOGS.matcher(statement).matches()) {
            return binaryLogs();
        }
        Matcher replicasQuery = REPLICAS.matcher(statement);
        if (replicasQuery.matches()) {
            return replicas.show(replicasQuery.group(1).toUpperCase(java.util.Locale.ROOT).startsWith("SLAVE"));
        }
        Matcher events = EVENTS.matcher(statement);
        if (events.matches()) {
            String file = events.group(1) != null ? events.group(1) : events.group(2);
            Long from = events.group(3) == null ? null : Long.valueOf(events.group(3));
            long offset = 0;
            long count = -1;
            if (events.group(5) != null) {
                offset = Long.parseLong(events.group(4));
                count = Long.parseLong(events.group(5));
            } else if (events.group(4) != null) {
                count = Long.parseLong(events.group(4));
            }
            return BinlogEventsQuery.run(log, file, from, offset, count);
        }
        return QueryResult.unsupported(sql);
    }

    /** The end of the last durable transaction and the GTIDs before it: a place a replica can start from. */
    private QueryResult masterStatus() {
        LogHead head = LogHead.of(log);
        List<Column> columns = List.of(
                new Column("File", ColumnType.VARCHAR),
                new Column("Position", ColumnType.BIGINT_UNSIGNED),
                new Column("Binlog_Do_DB", ColumnType.VARCHAR),
                new Column("Binlog_Ignore_DB", ColumnType.VARCHAR),
                new Column("Executed_Gtid_Set", ColumnType.VARCHAR));
        return QueryResult.resultSet(columns, List.of(Arrays.asList(head.end().file(), head.end().position(), "", "",
                head.executedGtidSet(clusterUuid))));
    }

    private QueryResult binaryLogs() {
        List<Column> columns = List.of(
                new Column("Log_name", ColumnType.VARCHAR),
                new Column("File_size", ColumnType.BIGINT_UNSIGNED),
                new Column("Encrypted", ColumnType.VARCHAR));
        List<List<Object>> rows = new ArrayList<>();
        for (BinlogPosition file : log.files()) {
            rows.add(Arrays.asList(file.file(), file.position(), "No"));
        }
        return QueryResult.resultSet(columns, rows);
    }
}
