package io.gbinlog.protocol.binlog;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Real MariaDB 10.11 event bodies: mariadb-10.11-row-events.txt and the like (each file's header says how it was made). */
final class MariaDbRowEvents {
    record RawEvent(String name, int type, byte[] body) {
    }

    private MariaDbRowEvents() {
    }

    static List<RawEvent> load() throws IOException {
        return load("/mariadb-10.11-row-events.txt");
    }

    static List<RawEvent> load(String resource) throws IOException {
        List<RawEvent> events = new ArrayList<>();
        try (InputStream in = MariaDbRowEvents.class.getResourceAsStream(resource);
             BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split(" ");
                events.add(new RawEvent(parts[0], typeOf(parts[0]), HexFormat.of().parseHex(parts[1])));
            }
        }
        return events;
    }

    private static int typeOf(String name) {
        return switch (name) {
            case "annotate_rows" -> EventType.MARIADB_ANNOTATE_ROWS;
            case "table_map" -> EventType.TABLE_MAP;
            case "write_rows_v1" -> EventType.WRITE_ROWS_V1;
            case "update_rows_v1" -> EventType.UPDATE_ROWS_V1;
            case "delete_rows_v1" -> EventType.DELETE_ROWS_V1;
            default -> throw new IllegalArgumentException(name);
        };
    }
}
