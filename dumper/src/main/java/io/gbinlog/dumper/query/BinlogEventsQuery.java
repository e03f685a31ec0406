package io.gbinlog.dumper.query;

import io.gbinlog.merger.writer.BinlogEventReader;
import io.gbinlog.merger.writer.BinlogPosition;
import io.gbinlog.merger.writer.GlobalBinlog;
import io.gbinlog.protocol.binlog.BinlogFormatException;
import io.gbinlog.protocol.binlog.EventHeader;
import io.gbinlog.protocol.packet.ColumnType;
import io.gbinlog.protocol.query.Column;
import io.gbinlog.protocol.query.QueryResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * {@code SHOW BINLOG EVENTS [IN 'file'] [FROM pos] [LIMIT [offset,] count]}: the events of one file (the first
 * when none is named), from an event boundary. The answer is built in memory, so it is refused beyond
 * {@link #MAX_ROWS} rows: FROM and LIMIT page through a large file.
 */
final class BinlogEventsQuery {

    static final int MAX_ROWS = 100_000;
    private static final int ER_ERROR_WHEN_EXECUTING_COMMAND = 1220;
    private static final List<Column> COLUMNS = List.of(
            new Column("Log_name", ColumnType.VARCHAR),
            new Column("Pos", ColumnType.BIGINT_UNSIGNED),
            new Column("Event_type", ColumnType.VARCHAR),
            new Column("Server_id", ColumnType.BIGINT_UNSIGNED),
            new Column("End_log_pos", ColumnType.BIGINT_UNSIGNED),
            new Column("Info", ColumnType.VARCHAR));

    private BinlogEventsQuery() {
    }

    /**
     * @param file   the file, or null for the first one
     * @param from   the position of the first event to consider, or null for the file's first event
     * @param offset events to skip after {@code from}
     * @param count  events to return at most, or -1 for all
     */
    static QueryResult run(GlobalBinlog log, String file, Long from, long offset, long count) throws IOException {
        List<BinlogPosition> files = log.files();
        BinlogPosition target = file == null ? files.get(0)
                : files.stream().filter(f -> f.file().equals(file)).findFirst().orElse(null);
        if (target == null) {
            return error("Could not find target log '" + file + "'");
        }
        long position = from == null ? EventHeader.MAGIC.length : from;
        if (position < EventHeader.MAGIC.length) {
            return error("Invalid log position " + position + " (events start at 4)");
        }
        List<List<Object>> rows = new ArrayList<>();
        if (position >= target.position() || count == 0) {
            return QueryResult.resultSet(COLUMNS, rows);
        }
        EventInfo info = new EventInfo();
        long skipped = 0;
        try (BinlogEventReader reader = log.openReader(target.file(), position)) {
            while ((count < 0 || rows.size() < count) && reader.next() && reader.file().equals(target.file())) {
                if (skipped < offset) {
                    skipped++;
                    continue;
                }
                if (rows.size() == MAX_ROWS) {
                    return error("more than " + MAX_ROWS + " events to show; page through " + target.file()
                            + " with FROM <position> and LIMIT <count>");
                }
                byte[] buf = reader.buffer();
                int at = reader.eventOffset();
                rows.add(Arrays.asList(target.file(), reader.eventPosition(), EventInfo.typeName(reader.eventType()),
                        EventHeader.serverId(buf, at), EventHeader.logPos(buf, at), info.describe(buf, at, reader.eventSize())));
            }
        } catch (BinlogFormatException e) {
            return error("Wrong offset or I/O error: " + e.getMessage()
                    + (rows.isEmpty() && skipped == 0 ? "; FROM must name the start of an event" : ""));
        }
        return QueryResult.resultSet(COLUMNS, rows);
    }

    private static QueryResult error(String reason) {
        return QueryResult.error(ER_ERROR_WHEN_EXECUTING_COMMAND, "HY000",
                "Error when executing command SHOW BINLOG EVENTS: " + reason);
    }
}
