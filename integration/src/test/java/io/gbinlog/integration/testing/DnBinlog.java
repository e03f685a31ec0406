package io.gbinlog.integration.testing;

import com.github.shyiko.mysql.binlog.BinaryLogFileReader;
import com.github.shyiko.mysql.binlog.event.AnnotateRowsEventData;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.EventData;
import com.github.shyiko.mysql.binlog.event.MariadbGtidEventData;
import com.github.shyiko.mysql.binlog.event.QueryEventData;
import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.WriteRowsEventData;
import com.github.shyiko.mysql.binlog.event.XAPrepareEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.ByteArrayEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.EventDeserializer;
import io.gbinlog.collector.capture.TypedEventHeader;
import io.gbinlog.integration.cluster.DataNode;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A data node's binlog files read with mysql-binlog-connector-java and cut into event groups (each starts
 * at a MariaDB GTID event), with the few XA facts the tests check.
 */
public final class DnBinlog {

    /** MariaDB GTID event flags (log_event.h). */
    public static final int FL_PREPARED_XA = 64;
    public static final int FL_COMPLETED_XA = 128;
    /** XA_PREPARE_LOG_EVENT: MariaDB uses MySQL's type code 38 for it. */
    public static final int XA_PREPARE_LOG = 38;
    public static final int ANNOTATE_ROWS = 160;

    private static final Pattern XA_QUERY = Pattern.compile("XA (END|COMMIT|ROLLBACK) X'([0-9A-Fa-f]*)',X'([0-9A-Fa-f]*)',(\\d+)");
    private static final Pattern SQL_ID = Pattern.compile("^/\\* sql_id=([A-Za-z0-9_.:-]{1,64}) \\*/");

    private final String node;
    private final List<Group> groups;

    private DnBinlog(String node, List<Group> groups) {
        this.node = node;
        this.groups = groups;
    }

    public static DnBinlog read(DataNode dataNode) {
        List<Group> groups = new ArrayList<>();
        List<Path> files = dataNode.binlogFiles();
        for (int f = 0; f < files.size(); f++) {
            readFile(dataNode.id(), f, files.get(f), groups);
        }
        return new DnBinlog(dataNode.id(), groups);
    }

    public String node() {
        return node;
    }

    public List<Group> groups() {
        return groups;
    }

    private static void readFile(String node, int fileIndex, Path file, List<Group> groups) {
        EventDeserializer deserializer = new EventDeserializer(new TypedEventHeader.Deserializer(), new ByteArrayEventDataDeserializer());
        Group current = null;
        try (BinaryLogFileReader reader = new BinaryLogFileReader(file.toFile(), deserializer)) {
            for (Event event; (event = reader.readEvent()) != null; ) {
                TypedEventHeader header = event.getHeader();
                Entry entry = new Entry(fileIndex, header.getPosition(), header.typeCode(),
                        header.getTimestamp() / 1000, event.getData());
                if (event.getData() instanceof MariadbGtidEventData gtid) {
                    current = new Group(node, groups.size(), gtid.getFlags(), new ArrayList<>());
                    groups.add(current);
                }
                if (current != null) {
                    current.entries.add(entry);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read binlog " + file + " of " + node, e);
        }
    }

    /** One binlog event: where it is, its raw type code, its header timestamp, its decoded data. */
    public record Entry(int file, long position, int type, long timestampSeconds, EventData data) {
    }

    /** The events from one GTID event to the next: a transaction, an XA prepare or completion, a DDL. */
    public record Group(String node, int ordinal, int gtidFlags, List<Entry> entries) {

        public boolean isXaPrepare() {
            return (gtidFlags & FL_PREPARED_XA) != 0;
        }

        public boolean isXaCompletion() {
            return (gtidFlags & FL_COMPLETED_XA) != 0;
        }

        public long timestampSeconds() {
            return entries.get(0).timestampSeconds();
        }

        /** "END", "COMMIT" or "ROLLBACK" and the gtrid of this group's XA statement, or null. */
        public XaStatement xaStatement() {
            for (Entry entry : entries) {
                if (entry.data() instanceof QueryEventData query) {
                    Matcher m = XA_QUERY.matcher(query.getSql());
                    if (m.find()) {
                        return new XaStatement(m.group(1), hex(m.group(2)), hex(m.group(3)), Integer.parseInt(m.group(4)));
                    }
                }
            }
            return null;
        }

        /** The xid of the XA_PREPARE_LOG event (type 38) ending this group, or null. */
        public XaStatement xaPrepareLog() {
            for (Entry entry : entries) {
                if (entry.type() == XA_PREPARE_LOG && entry.data() instanceof XAPrepareEventData prepare) {
                    return new XaStatement("PREPARE", prepare.getGtrid(), prepare.getBqual(), prepare.getFormatID());
                }
            }
            return null;
        }

        public List<String> annotations() {
            List<String> texts = new ArrayList<>();
            for (Entry entry : entries) {
                if (entry.data() instanceof AnnotateRowsEventData annotate) {
                    texts.add(annotate.getRowsQuery());
                }
            }
            return texts;
        }

        /** The sql_id of every annotated statement that has one. */
        public List<String> sqlIds() {
            List<String> ids = new ArrayList<>();
            for (String text : annotations()) {
                Matcher m = SQL_ID.matcher(text);
                if (m.find()) {
                    ids.add(m.group(1));
                }
            }
            return ids;
        }

        /** The rows this group inserted into {@code db.table}. */
        public List<Serializable[]> insertedRows(String db, String table) {
            List<Serializable[]> rows = new ArrayList<>();
            Map<Long, TableMapEventData> tables = new java.util.HashMap<>();
            for (Entry entry : entries) {
                if (entry.data() instanceof TableMapEventData map) {
                    tables.put(map.getTableId(), map);
                } else if (entry.data() instanceof WriteRowsEventData write) {
                    TableMapEventData map = tables.get(write.getTableId());
                    if (map != null && map.getDatabase().equals(db) && map.getTable().equals(table)) {
                        rows.addAll(write.getRows());
                    }
                }
            }
            return rows;
        }

        public boolean hasEventType(int type) {
            return entries.stream().anyMatch(e -> e.type() == type);
        }
    }

    /** An XA statement as logged: X'..' hex decoded. */
    public record XaStatement(String verb, String gtrid, String bqual, int formatId) {
    }

    /** Row values of VARCHAR/VARBINARY columns come as byte[] or String depending on the column. */
    public static String text(Serializable value) {
        return value instanceof byte[] bytes ? new String(bytes, StandardCharsets.UTF_8) : String.valueOf(value);
    }

    private static String hex(String hex) {
        return new String(HexFormat.of().parseHex(hex), StandardCharsets.ISO_8859_1);
    }

}
