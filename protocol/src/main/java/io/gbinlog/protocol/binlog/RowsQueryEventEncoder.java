package io.gbinlog.protocol.binlog;

/**
 * ROWS_QUERY_LOG_EVENT: the statement text of the row events that follow. MariaDB's ANNOTATE_ROWS body is
 * exactly that text, so an annotate event becomes a rows-query event by passing its body here. Marked
 * ignorable, as MySQL does, so readers that do not know the type skip it.
 */
public final class RowsQueryEventEncoder {
    private RowsQueryEventEncoder() {
    }

    public static void write(EventBuffer out, long timestampSeconds, long serverId, byte[] text, int off, int len) {
        int start = begin(out, timestampSeconds, serverId, len);
        out.writeBytes(text, off, len);
        out.endEvent(start);
    }

    /** Writes everything up to the text, whose length is {@code textLength}; the caller writes it and ends the event. */
    static int begin(EventBuffer out, long timestampSeconds, long serverId, int textLength) {
        int start = out.beginEvent(EventType.ROWS_QUERY, timestampSeconds, serverId, EventHeader.FLAG_IGNORABLE);
        out.writeInt8(Math.min(textLength, 255)); // readers take the text up to the event end; MySQL truncates this byte too
        return start;
    }

    /** Offset of the statement text within a rows-query event at {@code eventOffset}. */
    public static int textOffset(int eventOffset) {
        return eventOffset + EventHeader.LENGTH + 1;
    }
}
