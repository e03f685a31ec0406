package io.gbinlog.collector.capture;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Decodes the rows of {@code __gbinlog.ddl_log (id, schema_name, ddl)} (design §2), as {@link CommitLogRows} does. */
final class DdlLogRows {

    private DdlLogRows() {
    }

    /** The rows of a WRITE_ROWS body ({@code rowsType} v1 or v2) of the table mapped by {@code tableMapBody}. */
    static List<LogicalDdl> decode(byte[] tableMapBody, int rowsType, byte[] rowsBody) throws IOException {
        List<Serializable[]> rows = CommitLogRows.writtenRows(tableMapBody, rowsType, rowsBody);
        List<LogicalDdl> decoded = new ArrayList<>(rows.size());
        for (Serializable[] row : rows) {
            // The connector gives TEXT as bytes too (a BLOB column to the binlog).
            if (row.length != 3 || !(row[0] instanceof Long id) || !(row[1] instanceof byte[] schema)
                    || !(row[2] instanceof byte[] ddl)) {
                throw new IOException("a __gbinlog.ddl_log row is not (BIGINT id, VARCHAR schema_name, TEXT ddl);"
                        + " the table does not have the layout of the design");
            }
            decoded.add(new LogicalDdl(id, new String(schema, StandardCharsets.UTF_8),
                    new String(ddl, StandardCharsets.UTF_8)));
        }
        return decoded;
    }
}
