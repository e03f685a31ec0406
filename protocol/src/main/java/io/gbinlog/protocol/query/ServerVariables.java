package io.gbinlog.protocol.query;

import java.time.ZoneId;
import java.time.format.TextStyle;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.Supplier;

/** The server's global system variables ({@code @@GLOBAL.name}), by case-insensitive name. */
public final class ServerVariables {

    private final SortedMap<String, Supplier<String>> values = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    public ServerVariables(Map<String, Supplier<String>> values) {
        values.forEach((name, value) -> {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("variables: a variable name must not be blank");
            }
            this.values.put(name, value);
        });
    }

    /**
     * What connectors read at connect time (MySQL Connector/J's big SELECT of @@ variables, the mariadb
     * driver's isolation and time-zone queries, the CLI's version comment), so they work unconfigured.
     */
    public static Map<String, String> defaults(String serverVersion, int maxPacketSize) {
        Map<String, String> defaults = new LinkedHashMap<>();
        defaults.put("version", serverVersion);
        defaults.put("version_comment", "gbinlog");
        defaults.put("max_allowed_packet", Integer.toString(maxPacketSize));
        defaults.put("auto_increment_increment", "1");
        defaults.put("autocommit", "1");
        for (String name : new String[] {"client", "connection", "results", "server", "database"}) {
            defaults.put("character_set_" + name, "utf8mb4");
        }
        defaults.put("collation_connection", "utf8mb4_general_ci");
        defaults.put("collation_server", "utf8mb4_general_ci");
        defaults.put("collation_database", "utf8mb4_general_ci");
        defaults.put("init_connect", "");
        defaults.put("interactive_timeout", "28800");
        defaults.put("wait_timeout", "28800");
        defaults.put("net_read_timeout", "30");
        defaults.put("net_write_timeout", "60");
        defaults.put("license", "GPL");
        defaults.put("lower_case_table_names", "0");
        defaults.put("performance_schema", "0");
        defaults.put("sql_mode", "");
        defaults.put("time_zone", "SYSTEM");
        defaults.put("system_time_zone", ZoneId.systemDefault().getDisplayName(TextStyle.SHORT, Locale.ROOT));
        defaults.put("transaction_isolation", "REPEATABLE-READ");
        defaults.put("tx_isolation", "REPEATABLE-READ");
        return defaults;
    }

    public boolean contains(String name) {
        return values.containsKey(name);
    }

    /** The current value (null is SQL NULL); only for names {@link #contains} knows. */
    public String value(String name) {
        return values.get(name).get();
    }

    /** All variables in name order, evaluated now. */
    public SortedMap<String, String> snapshot() {
        SortedMap<String, String> snapshot = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        values.forEach((name, value) -> snapshot.put(name, value.get()));
        return snapshot;
    }
}
