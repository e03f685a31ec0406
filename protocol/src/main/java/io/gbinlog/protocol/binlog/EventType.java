package io.gbinlog.protocol.binlog;

/** Binlog event type codes this package writes or reads (MySQL numbering; MariaDB's own types are 160+). */
public final class EventType {
    public static final int QUERY = 2;
    public static final int ROTATE = 4;
    public static final int FORMAT_DESCRIPTION = 15;
    public static final int XID = 16;
    public static final int TABLE_MAP = 19;
    public static final int WRITE_ROWS_V1 = 23;
    public static final int UPDATE_ROWS_V1 = 24;
    public static final int DELETE_ROWS_V1 = 25;
    public static final int HEARTBEAT = 27;
    public static final int ROWS_QUERY = 29;
    public static final int WRITE_ROWS = 30;
    public static final int UPDATE_ROWS = 31;
    public static final int DELETE_ROWS = 32;
    public static final int GTID = 33;
    public static final int PREVIOUS_GTIDS = 35;
    /** MariaDB's statement text for the following row events (binlog_annotate_row_events=ON). */
    public static final int MARIADB_ANNOTATE_ROWS = 160;

    private EventType() {
    }
}
