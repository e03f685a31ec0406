package io.gbinlog.meta.schema;

import com.alibaba.druid.DbType;
import com.alibaba.druid.sql.SQLUtils;
import com.alibaba.druid.sql.ast.SQLExpr;
import com.alibaba.druid.sql.ast.SQLName;
import com.alibaba.druid.sql.ast.SQLStatement;
import com.alibaba.druid.sql.ast.expr.SQLPropertyExpr;
import com.alibaba.druid.sql.ast.statement.SQLAlterCharacter;
import com.alibaba.druid.sql.ast.statement.SQLAlterDatabaseStatement;
import com.alibaba.druid.sql.ast.statement.SQLAlterTableItem;
import com.alibaba.druid.sql.ast.statement.SQLAlterTableRename;
import com.alibaba.druid.sql.ast.statement.SQLAlterTableStatement;
import com.alibaba.druid.sql.ast.statement.SQLCreateDatabaseStatement;
import com.alibaba.druid.sql.ast.statement.SQLCreateIndexStatement;
import com.alibaba.druid.sql.ast.statement.SQLCreateTableStatement;
import com.alibaba.druid.sql.ast.statement.SQLDropDatabaseStatement;
import com.alibaba.druid.sql.ast.statement.SQLDropIndexStatement;
import com.alibaba.druid.sql.ast.statement.SQLDropTableStatement;
import com.alibaba.druid.sql.ast.statement.SQLExprTableSource;
import com.alibaba.druid.sql.ast.statement.SQLSelectOrderByItem;
import com.alibaba.druid.sql.dialect.mysql.ast.statement.MySqlRenameTableStatement;
import com.alibaba.druid.sql.repository.Schema;
import com.alibaba.druid.sql.repository.SchemaObject;
import com.alibaba.druid.sql.repository.SchemaObjectType;
import com.alibaba.druid.sql.repository.SchemaRepository;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Applies DDL to the latest schema with druid's {@link SchemaRepository} (MySQL dialect) and says what changed.
 * Not thread-safe: the history calls it from its one writer. After a failed {@link #apply} the repository may hold
 * part of the DDL: the caller builds a new applier from its last good state.
 */
final class DdlApplier {

    /** What a DDL changed, in order: database → default collation and table → definition; null = dropped. */
    record Changes(Map<String, String> databases, Map<LogicalName, TableSchema> tables) {
        Changes() {
            this(new LinkedHashMap<>(), new LinkedHashMap<>());
        }

        boolean isEmpty() {
            return databases.isEmpty() && tables.isEmpty();
        }
    }

    private final SchemaRepository repository = new SchemaRepository(DbType.mysql);
    private final Collations collations;
    private final String serverCollation;
    private final Map<String, String> databases;

    /** The applier for a known state: {@code tables} carry their CREATE TABLE texts. */
    DdlApplier(Collations collations, String serverCollation, Map<String, String> databases,
               Collection<TableSchema> tables) throws SchemaException {
        this.collations = collations;
        this.serverCollation = serverCollation;
        this.databases = new LinkedHashMap<>(databases);
        for (TableSchema table : tables) {
            repository.setDefaultSchema(table.db());
            for (SQLStatement statement : parse(table.createTable())) {
                repository.accept(statement);
            }
        }
    }

    /** A database read from the data nodes (first start). */
    void addDatabase(String db, String collation) {
        databases.put(db, collation);
    }

    Changes apply(long cts, String defaultDb, String ddl) throws SchemaException {
        Changes changes = new Changes();
        for (SQLStatement statement : parse(ddl)) {
            try {
                applyOne(cts, defaultDb, statement, changes);
            } catch (SchemaException e) {
                throw new SchemaException(e.getMessage() + " in: " + ddl, e);
            } catch (RuntimeException e) {
                throw new SchemaException("cannot apply DDL: " + e + " in: " + ddl, e);
            }
        }
        return changes;
    }

    private void applyOne(long cts, String defaultDb, SQLStatement statement, Changes changes)
            throws SchemaException {
        if (!defaultDb.isEmpty()) {
            repository.setDefaultSchema(defaultDb);
        }
        if (statement instanceof SQLCreateDatabaseStatement create) {
            createDatabase(create, changes);
            return;
        }
        if (statement instanceof SQLAlterDatabaseStatement alter) {
            alterDatabase(alter, defaultDb, changes);
            return;
        }
        if (statement instanceof SQLDropDatabaseStatement drop) {
            dropDatabase(normalize(drop.getDatabase()), changes);
            return;
        }
        if (statement instanceof SQLCreateIndexStatement index) {
            // druid keeps CREATE INDEX as an object of its own; as ALTER TABLE ADD INDEX it lands in the table
            statement = asAlterTable(index, defaultDb);
        }
        List<LogicalName> touched = tablesChangedBy(statement, defaultDb);
        if (touched.isEmpty()) {
            return;
        }
        if (statement instanceof MySqlRenameTableStatement) {
            repository.console(SQLUtils.toMySqlString(statement)); // druid renames in console(), not accept()
        } else {
            repository.accept(statement);
        }
        if (statement instanceof SQLAlterTableStatement alter) {
            TableDefinition.alterOptions(find(touched.get(touched.size() - 1)), alter, collations);
        }
        for (LogicalName name : touched) {
            changes.tables.put(name, definition(cts, name, changes));
        }
    }

    private void createDatabase(SQLCreateDatabaseStatement create, Changes changes) {
        String db = normalize(create.getName());
        if (!(create.isIfNotExists() && databases.containsKey(db))) {
            String collation = collations.resolve(create.getCharacterSet(), create.getCollate(), serverCollation);
            databases.put(db, collation);
            changes.databases.put(db, collation);
        }
    }

    private void alterDatabase(SQLAlterDatabaseStatement alter, String defaultDb, Changes changes)
            throws SchemaException {
        String db = alter.getName() == null ? requireDb(defaultDb, "ALTER DATABASE") : normalize(alter.getName());
        SQLAlterCharacter character = alter.getCharacter();
        if (character != null && databases.containsKey(db)) {
            String collation = collations.resolve(
                    character.getCharacterSet() == null ? null : normalize(character.getCharacterSet()),
                    character.getCollate() == null ? null : normalize(character.getCollate()), databases.get(db));
            databases.put(db, collation);
            changes.databases.put(db, collation);
        }
    }

    private void dropDatabase(String db, Changes changes) {
        for (String table : tablesOf(db)) {
            repository.console("DROP TABLE " + quote(db) + "." + quote(table));
            changes.tables.put(new LogicalName(db, table), null);
        }
        if (databases.remove(db) != null) {
            changes.databases.put(db, null);
        }
    }

    /** The tables a table statement creates, changes or drops; empty for any other statement. */
    private List<LogicalName> tablesChangedBy(SQLStatement statement, String defaultDb) throws SchemaException {
        List<LogicalName> touched = new ArrayList<>();
        if (statement instanceof SQLCreateTableStatement create) {
            LogicalName name = qualify(create.getName(), defaultDb);
            if (create.isIfNotExists() && find(name) != null) {
                return List.of();
            }
            if (create.getLike() != null) {
                requireTable(qualify(create.getLike().getName(), defaultDb));
            }
            touched.add(name);
        } else if (statement instanceof SQLAlterTableStatement alter) {
            LogicalName name = qualify(alter.getName(), defaultDb);
            requireTable(name);
            touched.add(name);
            for (SQLAlterTableItem item : alter.getItems()) {
                if (item instanceof SQLAlterTableRename rename) {
                    touched.add(qualify(rename.getToName(), name.db()));
                }
            }
        } else if (statement instanceof MySqlRenameTableStatement rename) {
            for (MySqlRenameTableStatement.Item item : rename.getItems()) {
                LogicalName from = qualify(item.getName(), defaultDb);
                requireTable(from);
                touched.add(from);
                touched.add(qualify(item.getTo(), defaultDb));
            }
        } else if (statement instanceof SQLDropTableStatement drop) {
            for (SQLExprTableSource source : drop.getTableSources()) {
                LogicalName name = qualify(source.getName(), defaultDb);
                if (!drop.isIfExists()) {
                    requireTable(name);
                }
                touched.add(name);
            }
        } else if (statement instanceof SQLDropIndexStatement drop) {
            LogicalName name = qualify(drop.getTableName().getName(), defaultDb);
            requireTable(name);
            touched.add(name);
        }
        // anything else (TRUNCATE, views, routines, grants...) changes no table definition
        return touched;
    }

    private SQLStatement asAlterTable(SQLCreateIndexStatement index, String defaultDb) throws SchemaException {
        LogicalName name = qualify((SQLName) ((SQLExprTableSource) index.getTable()).getExpr(), defaultDb);
        String type = index.getType() == null ? "" : index.getType() + " ";
        String columns = index.getItems().stream().map(SQLSelectOrderByItem::toString)
                .collect(Collectors.joining(", "));
        return parse("ALTER TABLE " + quote(name.db()) + "." + quote(name.table()) + " ADD " + type + "INDEX "
                + index.getName() + " (" + columns + ")").get(0);
    }

    /** The table's definition after the statement; null when it is gone. */
    private TableSchema definition(long cts, LogicalName name, Changes changes) throws SchemaException {
        SQLCreateTableStatement table = find(name);
        if (table == null) {
            return null;
        }
        if (!databases.containsKey(name.db())) {
            // the data nodes have the database (the DDL ran there); the history learns of it now
            databases.put(name.db(), serverCollation);
            changes.databases.put(name.db(), serverCollation);
        }
        TableDefinition.freeze(table, databases.get(name.db()), collations);
        TableSchema schema = TableDefinition.toSchema(name.db(), name.table(), cts, table, collations);
        parse(schema.createTable()); // what the history stores must read back when it is reopened
        return schema;
    }

    private SQLCreateTableStatement find(LogicalName name) {
        Schema schema = repository.findSchema(name.db());
        SchemaObject object = schema == null ? null : schema.findTable(name.table());
        return object != null && object.getStatement() instanceof SQLCreateTableStatement create ? create : null;
    }

    private List<String> tablesOf(String db) {
        Schema schema = repository.findSchema(db);
        if (schema == null) {
            return List.of();
        }
        return schema.getObjects().stream().filter(o -> o.getType() == SchemaObjectType.Table)
                .map(o -> SQLUtils.normalize(o.getName())).toList();
    }

    private void requireTable(LogicalName name) throws SchemaException {
        if (find(name) == null) {
            throw new SchemaException("the schema history has no table " + name.db() + "." + name.table());
        }
    }

    private static LogicalName qualify(SQLName name, String defaultDb) throws SchemaException {
        if (name instanceof SQLPropertyExpr qualified) {
            return new LogicalName(SQLUtils.normalize(qualified.getOwnerName()),
                    SQLUtils.normalize(qualified.getName()));
        }
        String table = normalize(name);
        return new LogicalName(requireDb(defaultDb, table), table);
    }

    private static String requireDb(String defaultDb, String what) throws SchemaException {
        if (defaultDb.isEmpty()) {
            throw new SchemaException("no database selected for " + what);
        }
        return defaultDb;
    }

    private static List<SQLStatement> parse(String ddl) throws SchemaException {
        try {
            return SQLUtils.parseStatements(ddl, DbType.mysql);
        } catch (RuntimeException e) {
            throw new SchemaException("cannot parse DDL: " + e.getMessage() + " in: " + ddl, e);
        }
    }

    private static String normalize(SQLExpr name) {
        return SQLUtils.normalize(name.toString());
    }

    static String quote(String name) {
        return "`" + name.replace("`", "``") + "`";
    }
}
