package io.gbinlog.collector.capture;

import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import com.github.shyiko.mysql.binlog.io.ByteArrayInputStream;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Writes binlog events (without checksums) as a data node would lay them out in file {@code file}, and reads
 * each back through the capture deserializer, so that tests can give the assembler shapes a live server
 * cannot be made to produce on demand.
 */
final class Binlog {

    static final int QUERY = 2, ROTATE = 4, XID = 16, TABLE_MAP = 19, WRITE_ROWS_V1 = 23, INCIDENT = 26,
            HEARTBEAT = 27, GTID_MYSQL = 33, XA_PREPARE = 38, ANNOTATE = 160, GTID = 162;
    private static final int ARTIFICIAL = 0x20;

    private final EventDeserializer deserializer = CaptureDeserializer.create();
    private final String file;
    private long position = 4;

    Binlog(String file) {
        this.file = file;
    }

    long position() {
        return position;
    }

    /** Skips {@code bytes} of the file, as if events there were never sent. */
    void skip(long bytes) {
        position += bytes;
    }

    long encoded() {
        return BinlogCoordinates.encode(BinlogCoordinates.fileNumber(file), position);
    }

    Event event(int type, byte[] body) {
        Event e = read(type, 0, position + 19 + body.length, body);
        position += 19 + body.length;
        return e;
    }

    /** The rotate a replication stream starts with: it names the file and position the stream continues at. */
    Event fakeRotate(String toFile, long toPosition) {
        return read(ROTATE, ARTIFICIAL, 0, rotateBody(toFile, toPosition));
    }

    Event rotate(String toFile) {
        return event(ROTATE, rotateBody(toFile, 4));
    }

    Event heartbeat(String inFile, long at) {
        return read(HEARTBEAT, ARTIFICIAL, at, inFile.getBytes(StandardCharsets.US_ASCII));
    }

    Event gtid(boolean standalone) {
        return event(GTID, bytes(le(7, 8), le(1, 4), new byte[] {(byte) (standalone ? 0x01 : 0x0c)}, new byte[6]));
    }

    Event query(String sql) {
        return event(QUERY, queryBody("app", sql));
    }

    Event annotate(String sql) {
        return event(ANNOTATE, sql.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * A table map of {@code db.table (INT)}, or of commit_log's or ddl_log's three columns when {@code table} is
     * one of them.
     */
    Event tableMap(long tableId, String db, String table) {
        byte[] columns = switch (table) {
            case "commit_log" -> bytes(new byte[] {3, 15, 8, 15}, new byte[] {4}, le(128, 2), le(4096, 2), new byte[] {0});
            case "ddl_log" -> bytes(new byte[] {3, 8, 15, (byte) 252}, new byte[] {3}, le(256, 2), new byte[] {2},
                    new byte[] {0});
            default -> bytes(new byte[] {1, 3}, new byte[] {0}, new byte[] {0});
        };
        return event(TABLE_MAP, bytes(le(tableId, 6), le(1, 2), name(db), name(table), columns));
    }

    /** One row of an INT table. */
    Event writeRow(long tableId, int value) {
        return event(WRITE_ROWS_V1, bytes(le(tableId, 6), le(1, 2), new byte[] {1, 1, 0}, le(value, 4)));
    }

    /** One row of commit_log. */
    Event writeCommitLog(long tableId, String gtrid, long cts, String participants) {
        byte[] g = gtrid.getBytes(StandardCharsets.UTF_8);
        byte[] p = participants.getBytes(StandardCharsets.UTF_8);
        return event(WRITE_ROWS_V1, bytes(le(tableId, 6), le(1, 2), new byte[] {3, 7, 0}, new byte[] {(byte) g.length},
                g, le(cts, 8), le(p.length, 2), p));
    }

    /** One row of ddl_log. */
    Event writeDdlLog(long tableId, long id, String schema, String ddl) {
        byte[] s = schema.getBytes(StandardCharsets.UTF_8);
        byte[] d = ddl.getBytes(StandardCharsets.UTF_8);
        return event(WRITE_ROWS_V1, bytes(le(tableId, 6), le(1, 2), new byte[] {3, 7, 0}, le(id, 8), le(s.length, 2), s,
                le(d.length, 2), d));
    }

    Event updateCommitLog(long tableId) {
        return event(24, bytes(le(tableId, 6), le(1, 2), new byte[] {3, 7, 7}));
    }

    Event xid() {
        return event(XID, le(99, 8));
    }

    Event xaPrepare(String gtrid, String bqual, boolean onePhase) {
        byte[] g = gtrid.getBytes(StandardCharsets.UTF_8);
        byte[] b = bqual.getBytes(StandardCharsets.UTF_8);
        return event(XA_PREPARE, bytes(new byte[] {(byte) (onePhase ? 1 : 0)}, le(1, 4), le(g.length, 4), le(b.length, 4), g, b));
    }

    private Event read(int type, int flags, long logPos, byte[] body) {
        byte[] event = bytes(le(1_700_000_000L, 4), new byte[] {(byte) type}, le(1, 4), le(19 + body.length, 4),
                le(logPos, 4), le(flags, 2), body);
        try {
            return deserializer.nextEvent(new ByteArrayInputStream(event));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] queryBody(String db, String sql) {
        byte[] d = db.getBytes(StandardCharsets.UTF_8);
        return bytes(le(5, 4), le(0, 4), new byte[] {(byte) d.length}, le(0, 2), le(0, 2), d, new byte[] {0},
                sql.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] rotateBody(String toFile, long toPosition) {
        return bytes(le(toPosition, 8), toFile.getBytes(StandardCharsets.US_ASCII));
    }

    private static byte[] name(String name) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        return bytes(new byte[] {(byte) n.length}, n, new byte[] {0});
    }

    static byte[] le(long v, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    static byte[] bytes(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
