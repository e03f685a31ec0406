package io.gbinlog.meta.schema;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Maps physical database and table names to logical ones with the {@code logicalNames} rules of the configuration:
 * rules are tried in order, the first that matches wins, no match keeps the physical name. {@code __gbinlog} and
 * the system schemas are never mapped.
 *
 * <p>A physical pattern is {@code db.table}: {@code {n}} matches one or more digits, a table part of {@code *}
 * matches any table, whose name the logical side then keeps ({@code logical: "shop.*"}). Matching is cached per
 * physical name pair, so that the merger can ask for every table map; the instance is safe for concurrent use.
 */
public final class NameMapping {

    /** One configured rule, as written. */
    public record Rule(String physical, String logical) {
    }

    /** A rule that cannot be used: {@code part} is {@code physical} or {@code logical}. */
    public static final class InvalidRuleException extends IllegalArgumentException {
        private final int index;
        private final String part;

        InvalidRuleException(int index, String part, String message) {
            super(message);
            this.index = index;
            this.part = part;
        }

        /** Which rule, counting from 0. */
        public int index() {
            return index;
        }

        /** {@code physical} or {@code logical}. */
        public String part() {
            return part;
        }
    }

    private static final Set<String> NEVER_MAPPED =
            Set.of("__gbinlog", "mysql", "information_schema", "performance_schema", "sys");
    private static final NameMapping IDENTITY = new NameMapping(List.of());

    private record Compiled(Pattern db, Pattern table, String logicalDb, String logicalTable) {
        boolean anyTable() {
            return table == null;
        }
    }

    /** Statement texts can name any number of {@code alias.column} pairs: past this many, answers are not cached. */
    private static final int MAX_CACHED = 65_536;

    private final List<Compiled> rules;
    // db -> table -> mapped name: two levels so that a lookup allocates nothing.
    private final Map<String, Map<String, LogicalName>> cache = new ConcurrentHashMap<>();
    private final AtomicInteger cached = new AtomicInteger();
    private final Map<String, String> schemaCache = new ConcurrentHashMap<>();

    private NameMapping(List<Compiled> rules) {
        this.rules = rules;
    }

    public static NameMapping identity() {
        return IDENTITY;
    }

    /** Compiles the rules; a bad one throws {@link InvalidRuleException} saying which and why. */
    public static NameMapping of(List<Rule> rules) {
        if (rules.isEmpty()) {
            return IDENTITY;
        }
        List<Compiled> compiled = new ArrayList<>();
        for (int i = 0; i < rules.size(); i++) {
            compiled.add(compile(i, rules.get(i)));
        }
        return new NameMapping(List.copyOf(compiled));
    }

    public boolean isIdentity() {
        return rules.isEmpty();
    }

    public LogicalName map(String physicalDb, String physicalTable) {
        Map<String, LogicalName> tables = cache.get(physicalDb);
        LogicalName hit = tables == null ? null : tables.get(physicalTable);
        if (hit != null) {
            return hit;
        }
        LogicalName name = resolve(physicalDb, physicalTable);
        if (cached.get() < MAX_CACHED && cache.computeIfAbsent(physicalDb, db -> new ConcurrentHashMap<>())
                .putIfAbsent(physicalTable, name) == null) {
            cached.incrementAndGet();
        }
        return name;
    }

    /** The logical name of a database on its own: from the first rule whose table part is {@code *}. */
    public String mapSchema(String physicalDb) {
        String hit = schemaCache.get(physicalDb);
        if (hit != null) {
            return hit;
        }
        String name = resolveSchema(physicalDb);
        if (schemaCache.size() < MAX_CACHED) {
            schemaCache.put(physicalDb, name);
        }
        return name;
    }

    private LogicalName resolve(String db, String table) {
        if (!NEVER_MAPPED.contains(db)) {
            for (Compiled rule : rules) {
                if (rule.db.matcher(db).matches() && (rule.anyTable() || rule.table.matcher(table).matches())) {
                    return new LogicalName(rule.logicalDb, rule.anyTable() ? table : rule.logicalTable);
                }
            }
        }
        return new LogicalName(db, table);
    }

    private String resolveSchema(String db) {
        if (!NEVER_MAPPED.contains(db)) {
            for (Compiled rule : rules) {
                if (rule.anyTable() && rule.db.matcher(db).matches()) {
                    return rule.logicalDb;
                }
            }
        }
        return db;
    }

    private static Compiled compile(int index, Rule rule) {
        String[] physical = split(index, "physical", rule.physical());
        String[] logical = split(index, "logical", rule.logical());
        boolean anyTable = physical[1].equals("*");
        if (logical[1].equals("*") != anyTable) {
            throw new InvalidRuleException(index, "logical", "'" + rule.logical() + "': the table part must be * "
                    + (anyTable ? "when" : "only when") + " the physical table part is *");
        }
        for (String part : logical) {
            if (part.contains("{") || part.contains("}")) {
                throw new InvalidRuleException(index, "logical", "'" + rule.logical()
                        + "': a logical name is plain (no {n}): all shards share it");
            }
        }
        Pattern db = pattern(index, rule.physical(), physical[0]);
        Pattern table = anyTable ? null : pattern(index, rule.physical(), physical[1]);
        return new Compiled(db, table, logical[0], logical[1]);
    }

    private static String[] split(int index, String part, String text) {
        if (text == null || text.isBlank()) {
            throw new InvalidRuleException(index, part, "required, as db.table");
        }
        int dot = text.indexOf('.');
        if (dot <= 0 || dot == text.length() - 1 || text.indexOf('.', dot + 1) >= 0) {
            throw new InvalidRuleException(index, part, "'" + text + "' is not db.table (exactly one dot)");
        }
        String db = text.substring(0, dot);
        String table = text.substring(dot + 1);
        if (db.contains("*") || (table.contains("*") && !table.equals("*"))) {
            throw new InvalidRuleException(index, part, "'" + text + "': * stands only for a whole table name");
        }
        return new String[] {db, table};
    }

    /** {@code {n}} becomes one or more digits, everything else is literal. */
    private static Pattern pattern(int index, String whole, String part) {
        StringBuilder regex = new StringBuilder();
        Matcher m = Pattern.compile("\\{n}").matcher(part);
        int last = 0;
        while (m.find()) {
            regex.append(literal(index, whole, part.substring(last, m.start()))).append("[0-9]+");
            last = m.end();
        }
        regex.append(literal(index, whole, part.substring(last)));
        return Pattern.compile(regex.toString());
    }

    private static String literal(int index, String whole, String text) {
        if (text.contains("{") || text.contains("}")) {
            throw new InvalidRuleException(index, "physical", "'" + whole + "': only {n} (digits) may stand in braces");
        }
        return text.isEmpty() ? "" : Pattern.quote(text);
    }
}
