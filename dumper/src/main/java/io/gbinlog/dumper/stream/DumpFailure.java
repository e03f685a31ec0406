package io.gbinlog.dumper.stream;

import io.gbinlog.protocol.query.QueryResult;

/**
 * Why a binlog dump cannot start or go on. The replica receives it as MySQL's
 * ER_MASTER_FATAL_ERROR_READING_BINLOG (1236, HY000), which replicas show in Last_IO_Error.
 */
final class DumpFailure extends Exception {

    static final int ER_MASTER_FATAL_ERROR_READING_BINLOG = 1236;

    DumpFailure(String message) {
        super(message, null, false, false);
    }

    QueryResult.Error toError() {
        return QueryResult.error(ER_MASTER_FATAL_ERROR_READING_BINLOG, "HY000", getMessage());
    }
}
