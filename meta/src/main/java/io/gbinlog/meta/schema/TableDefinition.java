package io.gbinlog.meta.schema;

import com.alibaba.druid.sql.SQLUtils;
import com.alibaba.druid.sql.ast.SQLDataType;
import com.alibaba.druid.sql.ast.SQLDataTypeImpl;
import com.alibaba.druid.sql.ast.SQLExpr;
import com.alibaba.druid.sql.ast.expr.SQLCharExpr;
import com.alibaba.druid.sql.ast.expr.SQLIdentifierExpr;
import com.alibaba.druid.sql.ast.expr.SQLIntegerExpr;
import com.alibaba.druid.sql.ast.expr.SQLMethodInvokeExpr;
import com.alibaba.druid.sql.ast.expr.SQLNullExpr;
import com.alibaba.druid.sql.ast.statement.SQLAlterTableConvertCharSet;
import com.alibaba.druid.sql.ast.statement.SQLAlterTableItem;
import com.alibaba.druid.sql.ast.statement.SQLAlterTableStatement;
import com.alibaba.druid.sql.ast.statement.SQLAssignItem;
import com.alibaba.druid.sql.ast.statement.SQLCharacterDataType;
import com.alibaba.druid.sql.ast.statement.SQLColumnDefinition;
import com.alibaba.druid.sql.ast.statement.SQLColumnPrimaryKey;
import com.alibaba.druid.sql.ast.statement.SQLCreateTableStatement;
import com.alibaba.druid.sql.ast.statement.SQLNotNullConstraint;
import com.alibaba.druid.sql.ast.statement.SQLPrimaryKey;
import com.alibaba.druid.sql.ast.statement.SQLSelectOrderByItem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a table's definition out of druid's {@code CREATE TABLE} statement. The statement is first made explicit
 * ({@link #freeze}): every character column and the table itself name their collation, because MySQL fixes what
 * a column inherits when the column is created; a later change of the table's or database's default must not
 * change it. Type synonyms and default display widths are spelled as the data nodes spell them, so a table read
 * from a data node and one built from DDL look the same.
 */
final class TableDefinition {
    private static final Set<String> CHARACTER_TYPES = Set.of("char", "varchar", "tinytext", "text", "mediumtext",
            "longtext", "enum", "set");
    private static final Map<String, String> SYNONYMS = Map.of("integer", "int", "dec", "decimal", "numeric",
            "decimal", "fixed", "decimal", "character", "char", "bool", "tinyint", "boolean", "tinyint",
            "double precision", "double", "real", "double");
    // display widths MariaDB shows for integer types declared without one: signed, unsigned
    private static final Map<String, int[]> INTEGER_WIDTHS = Map.of("tinyint", new int[] {4, 3},
            "smallint", new int[] {6, 5}, "mediumint", new int[] {9, 8}, "int", new int[] {11, 10},
            "bigint", new int[] {20, 20});
    private static final Map<String, List<Integer>> DEFAULT_ARGUMENTS = Map.of("decimal", List.of(10, 0),
            "char", List.of(1), "binary", List.of(1), "bit", List.of(1), "year", List.of(4));

    private static final Pattern NOW =
            Pattern.compile("(?:current_timestamp|now|localtime|localtimestamp)(?:\\((\\d*)\\))?");
    // druid lists these ALTER TABLE clauses among the table options; they say how to alter, not what the table is
    private static final Set<String> ALTER_CLAUSES = Set.of("ALGORITHM", "LOCK", "FORCE");
    private static final String[] CHARSET_OPTIONS = {"CHARSET", "CHARACTER SET", "DEFAULT CHARSET",
        "DEFAULT CHARACTER SET"};
    private static final String[] COLLATE_OPTIONS = {"COLLATE", "DEFAULT COLLATE"};

    private TableDefinition() {
    }

    /** Spells types canonically and makes every inherited collation explicit; {@code dbCollation} is the fallback. */
    static void freeze(SQLCreateTableStatement table, String dbCollation, Collations collations) {
        String tableCollation = collations.resolve(option(table.getTableOptions(), CHARSET_OPTIONS),
                option(table.getTableOptions(), COLLATE_OPTIONS), dbCollation);
        setTableCollation(table, tableCollation, collations);
        for (SQLColumnDefinition column : table.getColumnDefinitions()) {
            canonicalType(column.getDataType(), column.getDataType().getName());
            column.setDefaultExpr(canonicalNow(column.getDefaultExpr()));
            column.setOnUpdate(canonicalNow(column.getOnUpdate()));
            if (!(column.getDataType() instanceof SQLCharacterDataType)
                    && CHARACTER_TYPES.contains(column.getDataType().getName())) {
                // druid parses enum and set without COLLATE as a plain type, which cannot carry a collation
                SQLCharacterDataType character = new SQLCharacterDataType(column.getDataType().getName());
                character.getArguments().addAll(column.getDataType().getArguments());
                column.setDataType(character);
            }
            if (column.getDataType() instanceof SQLCharacterDataType type && isCharacter(type)) {
                String charset = type.getCharSetName() != null ? type.getCharSetName()
                        : column.getCharsetExpr() == null ? null : name(column.getCharsetExpr());
                String collate = type.getCollate() != null ? type.getCollate()
                        : column.getCollateExpr() == null ? null : name(column.getCollateExpr());
                String collation = collations.resolve(charset, collate, tableCollation);
                String cs = collations.charsetOf(collation);
                type.setCharSetName(cs != null ? cs : charset);
                type.setCollate(collation);
                column.setCharsetExpr(null);
                column.setCollateExpr(null);
            }
        }
    }

    /**
     * Applies what druid's repository leaves out of an ALTER TABLE: the table options (charset, collation, comment,
     * engine...) and CONVERT TO CHARACTER SET. {@code table} must have been frozen before the ALTER.
     */
    static void alterOptions(SQLCreateTableStatement table, SQLAlterTableStatement alter, Collations collations) {
        String current = option(table.getTableOptions(), COLLATE_OPTIONS);
        String charset = option(alter.getTableOptions(), CHARSET_OPTIONS);
        String collate = option(alter.getTableOptions(), COLLATE_OPTIONS);
        for (SQLAssignItem option : alter.getTableOptions()) {
            String key = option.getTarget().toString().toUpperCase();
            if (key.equals("COMMENT")) {
                table.setComment(option.getValue().clone()); // CREATE TABLE keeps its comment apart from the options
            } else if (!isCollationOption(key) && !ALTER_CLAUSES.contains(key)) {
                table.getTableOptions().removeIf(o -> o.getTarget().toString().equalsIgnoreCase(key));
                table.getTableOptions().add(option.clone());
            }
        }
        // druid's repository itself copies some of them into the table
        table.getTableOptions().removeIf(o -> ALTER_CLAUSES.contains(o.getTarget().toString().toUpperCase()));
        if (charset != null || collate != null) {
            setTableCollation(table, collations.resolve(charset, collate, current), collations);
        }
        for (SQLAlterTableItem item : alter.getItems()) {
            if (item instanceof SQLAlterTableConvertCharSet convert) {
                String collation = collations.resolve(name(convert.getCharset()),
                        convert.getCollate() == null ? null : name(convert.getCollate()), current);
                setTableCollation(table, collation, collations);
                for (SQLColumnDefinition column : table.getColumnDefinitions()) {
                    if (column.getDataType() instanceof SQLCharacterDataType type && isCharacter(type)) {
                        type.setCharSetName(collations.charsetOf(collation));
                        type.setCollate(collation);
                    }
                }
            }
        }
    }

    /** The table as consumers see it; {@code table} must have been {@link #freeze frozen}. */
    static TableSchema toSchema(String db, String name, long version, SQLCreateTableStatement table,
                                Collations collations) {
        List<String> primaryKey = primaryKeyColumns(table);
        List<ColumnSchema> columns = new ArrayList<>();
        List<Integer> pkIndexes = new ArrayList<>();
        for (SQLColumnDefinition column : table.getColumnDefinitions()) {
            String columnName = SQLUtils.normalize(column.getNameAsString());
            boolean inPk = primaryKey.contains(columnName.toLowerCase());
            columns.add(column(columnName, column, inPk, collations));
        }
        for (String key : primaryKey) {
            for (int i = 0; i < columns.size(); i++) {
                if (columns.get(i).name().equalsIgnoreCase(key)) {
                    pkIndexes.add(i);
                }
            }
        }
        SQLCreateTableStatement shown = table.clone();
        shown.setName("`" + name.replace("`", "``") + "`");
        // partitions and the next AUTO_INCREMENT value are state of one shard, not of the logical table (and druid
        // prints some partitionings wrong)
        shown.setPartitionBy(null);
        shown.getTableOptions().removeIf(o -> o.getTarget().toString().equalsIgnoreCase("AUTO_INCREMENT"));
        return new TableSchema(db, name, version, columns, pkIndexes, SQLUtils.toMySqlString(shown));
    }

    private static ColumnSchema column(String name, SQLColumnDefinition column, boolean inPk, Collations collations) {
        SQLDataType type = column.getDataType();
        String dataType = type.getName().toLowerCase();
        boolean unsigned = type instanceof SQLDataTypeImpl impl && impl.isUnsigned();
        boolean zerofill = type instanceof SQLDataTypeImpl impl && impl.isZerofill();
        List<String> values = new ArrayList<>();
        StringBuilder columnType = new StringBuilder(dataType);
        if (!type.getArguments().isEmpty()) {
            columnType.append('(');
            boolean enumOrSet = dataType.equals("enum") || dataType.equals("set");
            for (int i = 0; i < type.getArguments().size(); i++) {
                SQLExpr arg = type.getArguments().get(i);
                columnType.append(i == 0 ? "" : ",");
                if (enumOrSet) {
                    String value = ((SQLCharExpr) arg).getText();
                    values.add(value);
                    columnType.append('\'').append(value.replace("'", "''")).append('\'');
                } else {
                    columnType.append(SQLUtils.toMySqlString(arg));
                }
            }
            columnType.append(')');
        }
        if (unsigned) {
            columnType.append(" unsigned");
        }
        if (zerofill) {
            columnType.append(" zerofill");
        }
        boolean notNull = inPk || column.getConstraints().stream().anyMatch(c -> c instanceof SQLNotNullConstraint);
        String collation = null;
        if (type instanceof SQLCharacterDataType character && isCharacter(character)) {
            collation = character.getCollate();
        }
        return new ColumnSchema(name, dataType, columnType.toString(), unsigned, !notNull,
                defaultValue(column.getDefaultExpr()), extra(column), collation,
                collation == null ? 0 : collations.idOf(collation), values,
                column.getComment() instanceof SQLCharExpr c ? c.getText() : "");
    }

    private static String defaultValue(SQLExpr expr) {
        if (expr == null || expr instanceof SQLNullExpr) {
            return null;
        }
        if (expr instanceof SQLCharExpr text) {
            return text.getText();
        }
        return SQLUtils.toMySqlString(expr);
    }

    private static String extra(SQLColumnDefinition column) {
        List<String> extra = new ArrayList<>();
        if (column.isAutoIncrement()) {
            extra.add("auto_increment");
        }
        if (column.getOnUpdate() != null) {
            extra.add("on update " + SQLUtils.toMySqlString(column.getOnUpdate()));
        }
        if (column.isVirtual()) {
            extra.add("VIRTUAL GENERATED");
        } else if (column.isStored()) {
            extra.add("STORED GENERATED");
        }
        return String.join(" ", extra);
    }

    private static List<String> primaryKeyColumns(SQLCreateTableStatement table) {
        List<String> names = new ArrayList<>();
        SQLPrimaryKey pk = table.findPrimaryKey();
        if (pk != null) {
            for (SQLSelectOrderByItem item : pk.getColumns()) {
                SQLExpr expr = item.getExpr();
                // a prefix key, name(10), parses as a call
                String column = expr instanceof SQLMethodInvokeExpr call ? call.getMethodName() : name(expr);
                names.add(column.toLowerCase());
            }
        }
        for (SQLColumnDefinition column : table.getColumnDefinitions()) {
            if (column.getConstraints().stream().anyMatch(c -> c instanceof SQLColumnPrimaryKey)) {
                names.add(SQLUtils.normalize(column.getNameAsString()).toLowerCase());
            }
        }
        return names;
    }

    private static boolean isCharacter(SQLCharacterDataType type) {
        return CHARACTER_TYPES.contains(type.getName().toLowerCase());
    }

    private static void canonicalType(SQLDataType type, String declared) {
        String lower = declared.toLowerCase();
        String canonical = SYNONYMS.getOrDefault(lower, lower);
        type.setName(canonical);
        if ((lower.equals("bool") || lower.equals("boolean")) && type.getArguments().isEmpty()) {
            type.getArguments().add(new SQLIntegerExpr(1));
        }
        if (type.getArguments().isEmpty()) {
            int[] widths = INTEGER_WIDTHS.get(canonical);
            if (widths != null) {
                boolean unsigned = type instanceof SQLDataTypeImpl impl && impl.isUnsigned();
                type.getArguments().add(new SQLIntegerExpr(widths[unsigned ? 1 : 0]));
            }
            for (int arg : DEFAULT_ARGUMENTS.getOrDefault(canonical, List.of())) {
                type.getArguments().add(new SQLIntegerExpr(arg));
            }
        }
    }

    /** CURRENT_TIMESTAMP, NOW() and their synonyms as MariaDB shows them: current_timestamp(), current_timestamp(6). */
    private static SQLExpr canonicalNow(SQLExpr expr) {
        if (expr == null) {
            return null;
        }
        Matcher now = NOW.matcher(SQLUtils.toMySqlString(expr).toLowerCase());
        if (!now.matches()) {
            return expr;
        }
        SQLMethodInvokeExpr call = new SQLMethodInvokeExpr("current_timestamp");
        if (now.group(1) != null && !now.group(1).isEmpty()) {
            call.addArgument(new SQLIntegerExpr(Integer.parseInt(now.group(1))));
        }
        return call;
    }

    private static String option(List<SQLAssignItem> options, String... names) {
        for (SQLAssignItem option : options) {
            String key = option.getTarget().toString().toUpperCase();
            for (String n : names) {
                if (key.equals(n)) {
                    return name(option.getValue());
                }
            }
        }
        return null;
    }

    /** Names the table's collation and its charset explicitly, replacing whatever spelling the DDL used. */
    private static void setTableCollation(SQLCreateTableStatement table, String collation, Collations collations) {
        table.getTableOptions().removeIf(o -> isCollationOption(o.getTarget().toString().toUpperCase()));
        String charset = collations.charsetOf(collation);
        if (charset != null) {
            table.getTableOptions().add(new SQLAssignItem(new SQLIdentifierExpr("CHARSET"),
                    new SQLIdentifierExpr(charset)));
        }
        table.getTableOptions().add(new SQLAssignItem(new SQLIdentifierExpr("COLLATE"),
                new SQLIdentifierExpr(collation)));
    }

    private static boolean isCollationOption(String key) {
        return key.contains("CHARSET") || key.contains("CHARACTER SET") || key.contains("COLLATE");
    }

    private static String name(SQLExpr expr) {
        return SQLUtils.normalize(expr instanceof SQLCharExpr c ? c.getText() : expr.toString());
    }
}
