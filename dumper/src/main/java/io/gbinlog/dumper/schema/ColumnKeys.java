package io.gbinlog.dumper.schema;

import io.gbinlog.meta.schema.ColumnSchema;
import io.gbinlog.meta.schema.TableSchema;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code Key} column of DESC: {@code PRI} for the primary key's columns, {@code UNI} for the column of a
 * single-column unique key, {@code MUL} for the first column of any other index, as MySQL derives it. The
 * primary key comes from the table's record; the other indexes from the key lines of its CREATE TABLE.
 * A table without a primary key shows its first unique key of NOT NULL columns as PRI, as MySQL does.
 */
final class ColumnKeys {

    /** {@code [UNIQUE|FULLTEXT|SPATIAL] KEY|INDEX [name] [USING x] (`a`,`b`(10) ...)}, one per line. */
    private static final Pattern INDEX = Pattern.compile("^\\s*(?:CONSTRAINT\\s+\\S+\\s+)?"
            + "(UNIQUE(?:\\s+(?:KEY|INDEX))?|(?:FULLTEXT\\s+|SPATIAL\\s+)?(?:KEY|INDEX))"
            + "(?:\\s+" + SqlText.NAME + ")?(?:\\s+USING\\s+\\w+)?\\s*\\((.*)\\)",
            Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);
    private static final Pattern KEY_PART = Pattern.compile("\\s*" + SqlText.NAME + "\\s*(?:\\(\\d+\\))?\\s*(?:ASC|DESC)?\\s*",
            Pattern.CASE_INSENSITIVE);

    private ColumnKeys() {
    }

    /** One entry per column of {@code table}, empty when the column starts no index. */
    static List<String> of(TableSchema table) {
        List<ColumnSchema> columns = table.columns();
        Map<String, Integer> positions = new HashMap<>();
        for (int i = 0; i < columns.size(); i++) {
            positions.put(columns.get(i).name().toLowerCase(Locale.ROOT), i);
        }
        List<String> keys = new ArrayList<>(Collections.nCopies(columns.size(), ""));
        List<Integer> primary = table.primaryKey();
        Matcher index = INDEX.matcher(table.createTable() == null ? "" : table.createTable());
        while (index.find()) {
            List<Integer> parts = parts(index.group(3), positions);
            if (parts.isEmpty()) {
                continue;
            }
            boolean unique = index.group(1).toUpperCase(Locale.ROOT).startsWith("UNIQUE");
            if (primary.isEmpty() && unique && parts.stream().noneMatch(i -> columns.get(i).nullable())) {
                primary = parts;
                continue;
            }
            int first = parts.get(0);
            if (keys.get(first).isEmpty()) {
                keys.set(first, unique && parts.size() == 1 ? "UNI" : "MUL");
            } else if (unique && parts.size() == 1) {
                keys.set(first, "UNI");
            }
        }
        for (int i : primary) {
            keys.set(i, "PRI");
        }
        return keys;
    }

    /** The column positions of a key's parts; empty when one is not a plain column (an expression). */
    private static List<Integer> parts(String list, Map<String, Integer> positions) {
        List<Integer> parts = new ArrayList<>();
        for (String part : list.split(",")) {
            Matcher name = KEY_PART.matcher(part);
            Integer position = name.matches() ? positions.get(SqlText.name(name.group(1)).toLowerCase(Locale.ROOT)) : null;
            if (position == null) {
                return List.of();
            }
            parts.add(position);
        }
        return parts;
    }
}
