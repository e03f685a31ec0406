package io.gbinlog.protocol.binlog;

/** Table ids are six bytes in table map and row events; all ones is reserved by MySQL as a dummy id. */
final class TableIds {
    private static final long MAX = (1L << 48) - 2;

    private TableIds() {
    }

    static void check(long tableId) {
        if (tableId < 1 || tableId > MAX) {
            throw new IllegalArgumentException("table id must be in 1.." + MAX + ", was " + tableId);
        }
    }
}
