package io.gbinlog.collector.capture;

import com.github.shyiko.mysql.binlog.event.TableMapEventData;
import com.github.shyiko.mysql.binlog.event.WriteRowsEventData;
import com.github.shyiko.mysql.binlog.event.deserialization.TableMapEventDataDeserializer;
import com.github.shyiko.mysql.binlog.event.deserialization.WriteRowsEventDataDeserializer;
import com.github.shyiko.mysql.binlog.io.ByteArrayInputStream;
import io.gbinlog.collector.ordering.Gtrid;
import io.gbinlog.protocol.binlog.EventType;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decodes the rows of {@code __gbinlog.commit_log (gtrid, cts, participants)} — the one table whose row images
 * the collector reads — with the connector's row decoder, keeping strings as bytes (a gtrid is binary).
 */
final class CommitLogRows {

    /** One decoded row. */
    record Row(Gtrid gtrid, long cts, List<String> participants) {
    }

    private CommitLogRows() {
    }

    /** The rows of a WRITE_ROWS body ({@code rowsType} v1 or v2) of the table mapped by {@code tableMapBody}. */
    static List<Row> decode(byte[] tableMapBody, int rowsType, byte[] rowsBody) throws IOException {
        List<Serializable[]> rows = writtenRows(tableMapBody, rowsType, rowsBody);
        List<Row> decoded = new ArrayList<>(rows.size());
        for (Serializable[] row : rows) {
            if (row.length != 3 || !(row[0] instanceof byte[] gtrid) || !(row[1] instanceof Long cts)
                    || !(row[2] instanceof byte[] participants)) {
                throw new IOException("a __gbinlog.commit_log row is not (VARBINARY gtrid, BIGINT cts, VARCHAR"
                        + " participants); the table does not have the layout of the design");
            }
            decoded.add(new Row(Gtrid.of(gtrid), cts, participantList(participants)));
        }
        return decoded;
    }

    /**
     * The row images of a WRITE_ROWS body ({@code rowsType} v1 or v2) of the table mapped by {@code tableMapBody},
     * strings as bytes. For the small {@code __gbinlog} tables only: the hot path never decodes rows.
     */
    static List<Serializable[]> writtenRows(byte[] tableMapBody, int rowsType, byte[] rowsBody) throws IOException {
        TableMapEventData map = new TableMapEventDataDeserializer().deserialize(new ByteArrayInputStream(tableMapBody));
        BinaryStrings rows = new BinaryStrings(Map.of(map.getTableId(), map));
        rows.setMayContainExtraInformation(rowsType == EventType.WRITE_ROWS);
        WriteRowsEventData data = rows.deserialize(new ByteArrayInputStream(rowsBody));
        return data.getRows();
    }

    private static List<String> participantList(byte[] text) {
        List<String> ids = new ArrayList<>();
        for (String id : new String(text, StandardCharsets.UTF_8).split(",")) {
            if (!id.isBlank()) {
                ids.add(id.strip());
            }
        }
        return ids;
    }

    /** The connector's row decoder, with CHAR/VARCHAR/BINARY/VARBINARY values as bytes. */
    private static final class BinaryStrings extends WriteRowsEventDataDeserializer {
        BinaryStrings(Map<Long, TableMapEventData> tableMaps) {
            super(tableMaps);
        }

        @Override
        protected Serializable deserializeString(int length, ByteArrayInputStream in) throws IOException {
            return in.read(length < 256 ? in.readInteger(1) : in.readInteger(2));
        }

        @Override
        protected Serializable deserializeVarString(int meta, ByteArrayInputStream in) throws IOException {
            return in.read(meta < 256 ? in.readInteger(1) : in.readInteger(2));
        }
    }
}
