package io.gbinlog.meta.schema;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Looks collations up by name and finds the collation a column inherits (column → table → database). */
final class Collations {
    private final Map<String, Collation> byName = new HashMap<>();
    private final Map<String, String> defaultOfCharset = new HashMap<>();

    Collations(List<Collation> collations) {
        for (Collation c : collations) {
            byName.put(c.name().toLowerCase(), c);
            if (c.isDefault()) {
                defaultOfCharset.put(c.charset().toLowerCase(), c.name());
            }
        }
    }

    /**
     * The collation an object gets from its own {@code CHARACTER SET} and {@code COLLATE} (either may be null),
     * else the one it inherits.
     */
    String resolve(String charset, String collation, String inherited) {
        if (collation != null) {
            return collation.toLowerCase();
        }
        if (charset != null) {
            String cs = charset.toLowerCase();
            String d = defaultOfCharset.get(cs);
            if (d == null && cs.equals("utf8")) {
                d = defaultOfCharset.get("utf8mb3"); // MariaDB 10.6+ and MySQL 8 call it utf8mb3
            }
            if (d == null) {
                throw new IllegalArgumentException("unknown character set '" + charset + "'");
            }
            return d;
        }
        return inherited;
    }

    /** The character set of a collation, or null when the data nodes do not know it. */
    String charsetOf(String collation) {
        Collation c = byName.get(collation.toLowerCase());
        return c == null ? null : c.charset();
    }

    /** The id the data nodes give a collation, 0 when they do not know it. */
    int idOf(String collation) {
        Collation c = byName.get(collation.toLowerCase());
        return c == null ? 0 : c.id();
    }
}
