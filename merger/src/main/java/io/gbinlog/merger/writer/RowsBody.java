package io.gbinlog.merger.writer;

import io.gbinlog.protocol.binlog.TransactionEncoder;

/**
 * The events of a row transaction between its BEGIN and its XID: rows-query, table map and row events written
 * through the given encoder. The log writes GTID, BEGIN, cts marker and XID around them.
 */
@FunctionalInterface
public interface RowsBody {
    void writeTo(TransactionEncoder tx);
}
