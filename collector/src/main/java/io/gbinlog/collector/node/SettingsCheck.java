package io.gbinlog.collector.node;

import io.gbinlog.meta.config.GbinlogConfig.DataNode;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The data-node contract of design §2, checked when a collector connects: binary log on, ROW format with FULL
 * images, statement text logged, identities unique, the {@code __gbinlog} tables in place. Only reads; every
 * problem is reported with the data node, the setting, its value and how to fix it.
 */
public final class SettingsCheck {

    /** The tables gbinlog's protocol writes on every data node, as an operator creates them. */
    public static final String GBINLOG_SCHEMA_SQL = """
            CREATE DATABASE IF NOT EXISTS __gbinlog;
            CREATE TABLE IF NOT EXISTS __gbinlog.commit_log (gtrid VARBINARY(128) PRIMARY KEY, cts BIGINT NOT NULL, \
            participants VARCHAR(1024) NOT NULL);
            CREATE TABLE IF NOT EXISTS __gbinlog.ddl_log (id BIGINT PRIMARY KEY, schema_name VARCHAR(64) NOT NULL, \
            ddl TEXT NOT NULL);""";

    private static final String VARIABLES = "SHOW GLOBAL VARIABLES WHERE Variable_name IN ('version', 'log_bin',"
            + " 'binlog_format', 'binlog_row_image', 'binlog_annotate_row_events', 'binlog_rows_query_log_events',"
            + " 'server_id', 'gtid_domain_id', 'log_bin_compress', 'binlog_transaction_compression')";

    private SettingsCheck() {
    }

    /**
     * Checks every data node and that server_id (and on MariaDB gtid_domain_id) differ between them and from
     * {@code replicaServerId}, the server id the collectors connect with.
     *
     * @return the settings found, in the order of {@code nodes}
     * @throws SettingsException listing every problem of every data node
     * @throws SQLException      when a data node cannot be reached or queried
     */
    public static List<NodeSettings> checkCluster(List<DataNode> nodes, long replicaServerId) throws SQLException {
        List<String> problems = new ArrayList<>();
        List<NodeSettings> found = new ArrayList<>();
        Map<Long, DataNode> byServerId = new HashMap<>();
        Map<Long, DataNode> byDomain = new HashMap<>();
        for (DataNode dn : nodes) {
            NodeSettings settings;
            try (Connection c = DataNodes.connect(dn)) {
                settings = read(c, dn, replicaServerId, problems);
            }
            found.add(settings);
            DataNode twin = byServerId.putIfAbsent(settings.serverId(), dn);
            if (twin != null) {
                problems.add(DataNodes.label(dn) + ": server_id " + settings.serverId() + " is also the server_id of "
                        + DataNodes.label(twin) + "; every data node needs its own (SET GLOBAL server_id=<unique>"
                        + " and server_id in my.cnf)");
            }
            if (settings.mariaDb()) {
                twin = byDomain.putIfAbsent(settings.gtidDomainId(), dn);
                if (twin != null) {
                    problems.add(DataNodes.label(dn) + ": gtid_domain_id " + settings.gtidDomainId() + " is also the"
                            + " gtid_domain_id of " + DataNodes.label(twin) + "; every data node needs its own"
                            + " (SET GLOBAL gtid_domain_id=<unique> and gtid_domain_id in my.cnf)");
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new SettingsException(problems);
        }
        return found;
    }

    /**
     * Checks one data node on its own (all but the uniqueness across data nodes).
     *
     * @throws SettingsException listing its problems
     */
    public static NodeSettings checkNode(Connection c, DataNode dn, long replicaServerId) throws SQLException {
        List<String> problems = new ArrayList<>();
        NodeSettings settings = read(c, dn, replicaServerId, problems);
        if (!problems.isEmpty()) {
            throw new SettingsException(problems);
        }
        return settings;
    }

    private static NodeSettings read(Connection c, DataNode dn, long replicaServerId, List<String> problems)
            throws SQLException {
        String at = DataNodes.label(dn) + ": ";
        Map<String, String> vars = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(VARIABLES)) {
            while (rs.next()) {
                vars.put(rs.getString(1).toLowerCase(Locale.ROOT), rs.getString(2));
            }
        }
        String version = vars.getOrDefault("version", "");
        boolean mariaDb = version.contains("MariaDB");
        if (!"ON".equalsIgnoreCase(vars.get("log_bin"))) {
            problems.add(at + "log_bin is " + vars.get("log_bin") + "; gbinlog reads the binary log (start the server"
                    + " with log_bin, e.g. log-bin=" + (mariaDb ? "mariadb-bin" : "binlog") + " in my.cnf)");
        }
        require(problems, at, vars, "binlog_format", "ROW",
                "SET GLOBAL binlog_format=ROW and restart writers, or set it in my.cnf");
        require(problems, at, vars, "binlog_row_image", "FULL",
                "SET GLOBAL binlog_row_image=FULL and reconnect writers, or set it in my.cnf");
        if (mariaDb) {
            require(problems, at, vars, "binlog_annotate_row_events", "ON",
                    "SET GLOBAL binlog_annotate_row_events=ON and reconnect writers, or set it in my.cnf");
            if (vars.containsKey("log_bin_compress")) {
                require(problems, at, vars, "log_bin_compress", "OFF",
                        "SET GLOBAL log_bin_compress=OFF, or set it in my.cnf; gbinlog copies row events as written");
            }
        } else {
            require(problems, at, vars, "binlog_rows_query_log_events", "ON",
                    "SET GLOBAL binlog_rows_query_log_events=ON and reconnect writers, or set it in my.cnf");
            if (vars.containsKey("binlog_transaction_compression")) {
                require(problems, at, vars, "binlog_transaction_compression", "OFF",
                        "SET GLOBAL binlog_transaction_compression=OFF, or set it in my.cnf");
            }
        }
        long serverId = Long.parseLong(vars.getOrDefault("server_id", "0"));
        if (serverId == replicaServerId) {
            problems.add(at + "server_id is " + serverId + ", the server id gbinlog's collectors connect with;"
                    + " give the data node another server_id or gbinlog another collector server id");
        }
        long domain = mariaDb ? Long.parseLong(vars.getOrDefault("gtid_domain_id", "0")) : -1;
        checkSchema(c, at, problems);
        return new NodeSettings(dn.id(), version, mariaDb, serverId, domain);
    }

    private static void require(List<String> problems, String at, Map<String, String> vars, String name,
                                String needed, String fix) {
        String value = vars.get(name);
        if (!needed.equalsIgnoreCase(value)) {
            problems.add(at + name + " is " + (value == null ? "not set" : value) + "; gbinlog needs " + needed
                    + " (" + fix + ")");
        }
    }

    /** The __gbinlog tables with the columns, in the order, that the collector decodes. */
    private static void checkSchema(Connection c, String at, List<String> problems) throws SQLException {
        Map<String, List<String>> columns = new HashMap<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT TABLE_NAME, COLUMN_NAME,"
                + " DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = '__gbinlog'"
                + " AND TABLE_NAME IN ('commit_log', 'ddl_log') ORDER BY TABLE_NAME, ORDINAL_POSITION")) {
            while (rs.next()) {
                columns.computeIfAbsent(rs.getString(1).toLowerCase(Locale.ROOT), t -> new ArrayList<>())
                        .add(rs.getString(2).toLowerCase(Locale.ROOT) + " " + rs.getString(3).toLowerCase(Locale.ROOT));
            }
        }
        table(problems, at, columns, "commit_log", List.of("gtrid varbinary", "cts bigint", "participants varchar"));
        table(problems, at, columns, "ddl_log", List.of("id bigint", "schema_name varchar", "ddl text"));
    }

    private static void table(List<String> problems, String at, Map<String, List<String>> columns, String table,
                              List<String> needed) {
        List<String> found = columns.get(table);
        if (found == null) {
            problems.add(at + "table __gbinlog." + table + " is missing; create the __gbinlog tables:\n"
                    + GBINLOG_SCHEMA_SQL);
        } else if (!found.equals(needed)) {
            problems.add(at + "table __gbinlog." + table + " has columns " + found + " but gbinlog needs " + needed
                    + ", in that order:\n" + GBINLOG_SCHEMA_SQL);
        }
    }
}
