package io.gbinlog.protocol.packet;

/** Command bytes: the first payload byte of every packet a client sends in the command phase. */
public final class Commands {

    public static final int QUIT = 0x01;
    public static final int INIT_DB = 0x02;
    public static final int QUERY = 0x03;
    public static final int PING = 0x0E;
    public static final int BINLOG_DUMP = 0x12;
    public static final int REGISTER_SLAVE = 0x15;
    public static final int SET_OPTION = 0x1B;
    public static final int BINLOG_DUMP_GTID = 0x1E;

    private Commands() {
    }
}
