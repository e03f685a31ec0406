package io.gbinlog.meta.schema;

import com.alibaba.druid.DbType;
import com.alibaba.druid.sql.SQLUtils;
import com.alibaba.druid.sql.ast.SQLStatement;
import com.alibaba.druid.sql.ast.statement.SQLColumnDefinition;
import com.alibaba.druid.sql.ast.statement.SQLCreateTableStatement;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The data nodes' user schemas at one moment, under their logical names: what the schema history starts from.
 *
 * @param collations      the data nodes' {@code information_schema.COLLATIONS}
 * @param serverCollation {@code @@collation_server}: what a database created without a collation gets
 * @param databases       logical database → its default collation
 * @param tables          one entry per logical table; its {@code CREATE TABLE} names the logical table
 */
public record SchemaSnapshot(List<Collation> collations, String serverCollation, Map<String, String> databases,
                             List<Table> tables) {

    /** A logical table as {@code SHOW CREATE TABLE} gave it, renamed to its logical name. */
    public record Table(String db, String table, String createTable) {
    }

    private static final Set<String> SKIPPED = Set.of("__gbinlog", "mysql", "information_schema",
            "performance_schema", "sys");

    public SchemaSnapshot {
        collations = List.copyOf(collations);
        databases = Map.copyOf(databases);
        tables = List.copyOf(tables);
    }

    /**
     * Reads every data node's user schemas ({@code __gbinlog} and the system schemas left out) and maps them to
     * logical names. The physical tables of one logical table must have the same columns.
     *
     * @throws SchemaException two physical tables of one logical table differ (both are named), or a table
     *                         definition druid cannot parse
     */
    public static SchemaSnapshot read(List<Connection> dataNodes, NameMapping names)
            throws SQLException, SchemaException {
        if (dataNodes.isEmpty()) {
            throw new IllegalArgumentException("no data nodes to read the schema from");
        }
        List<Collation> collations = new ArrayList<>();
        String serverCollation;
        try (Statement s = dataNodes.get(0).createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT ID, COLLATION_NAME, CHARACTER_SET_NAME, IS_DEFAULT"
                    + " FROM information_schema.COLLATIONS WHERE ID IS NOT NULL ORDER BY ID")) {
                while (rs.next()) {
                    collations.add(new Collation(rs.getInt(1), rs.getString(2), rs.getString(3),
                            "Yes".equalsIgnoreCase(rs.getString(4))));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT @@collation_server")) {
                rs.next();
                serverCollation = rs.getString(1);
            }
        }
        Map<String, String> databases = new TreeMap<>();
        Map<LogicalName, Shard> tables = new LinkedHashMap<>();
        for (Connection node : dataNodes) {
            String where = node.getMetaData().getURL();
            Map<String, String> physicalDbs = new TreeMap<>();
            try (Statement s = node.createStatement();
                 ResultSet rs = s.executeQuery("SELECT SCHEMA_NAME, DEFAULT_COLLATION_NAME"
                         + " FROM information_schema.SCHEMATA")) {
                while (rs.next()) {
                    if (!SKIPPED.contains(rs.getString(1))) {
                        physicalDbs.put(rs.getString(1), rs.getString(2));
                    }
                }
            }
            physicalDbs.forEach((db, collation) -> databases.putIfAbsent(names.mapSchema(db), collation));
            for (String db : physicalDbs.keySet()) {
                for (String table : baseTables(node, db)) {
                    LogicalName logical = names.map(db, table);
                    databases.putIfAbsent(logical.db(), physicalDbs.get(db));
                    Shard shard = new Shard(where, db + "." + table,
                            renamed(showCreateTable(node, db, table), db, table, logical.table()));
                    Shard first = tables.putIfAbsent(logical, shard);
                    if (first != null && !first.columns.equals(shard.columns)) {
                        throw new SchemaException("the physical tables of " + logical.db() + "." + logical.table()
                                + " differ in columns: " + first.physical + " on " + first.node + " has "
                                + first.columns + ", " + shard.physical + " on " + shard.node + " has "
                                + shard.columns);
                    }
                }
            }
        }
        List<Table> result = new ArrayList<>();
        tables.forEach((name, shard) -> result.add(new Table(name.db(), name.table(),
                SQLUtils.toMySqlString(shard.statement))));
        return new SchemaSnapshot(collations, serverCollation, databases, result);
    }

    private static final class Shard {
        final String node;
        final String physical;
        final SQLCreateTableStatement statement;
        final List<String> columns;

        Shard(String node, String physical, SQLCreateTableStatement statement) {
            this.node = node;
            this.physical = physical;
            this.statement = statement;
            this.columns = statement.getColumnDefinitions().stream().map(SQLColumnDefinition::toString).toList();
        }
    }

    private static List<String> baseTables(Connection node, String db) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (var s = node.prepareStatement("SELECT TABLE_NAME FROM information_schema.TABLES"
                + " WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'BASE TABLE' ORDER BY TABLE_NAME")) {
            s.setString(1, db);
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
        }
        return tables;
    }

    private static String showCreateTable(Connection node, String db, String table) throws SQLException {
        try (Statement s = node.createStatement();
             ResultSet rs = s.executeQuery("SHOW CREATE TABLE " + DdlApplier.quote(db) + "."
                     + DdlApplier.quote(table))) {
            rs.next();
            return rs.getString(2);
        }
    }

    private static SQLCreateTableStatement renamed(String createTable, String db, String table, String logical)
            throws SchemaException {
        List<SQLStatement> parsed;
        try {
            parsed = SQLUtils.parseStatements(createTable, DbType.mysql);
        } catch (RuntimeException e) {
            throw new SchemaException("cannot parse the definition of " + db + "." + table + ": " + e.getMessage()
                    + " in: " + createTable, e);
        }
        if (parsed.size() != 1 || !(parsed.get(0) instanceof SQLCreateTableStatement statement)) {
            throw new SchemaException("not a CREATE TABLE for " + db + "." + table + ": " + createTable);
        }
        statement.setName(DdlApplier.quote(logical));
        return statement;
    }
}
