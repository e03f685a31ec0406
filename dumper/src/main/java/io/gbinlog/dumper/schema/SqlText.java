package io.gbinlog.dumper.schema;

import io.gbinlog.dumper.query.StatementText;
import io.gbinlog.protocol.query.QueryResult;
import io.gbinlog.protocol.query.Session;
import java.util.regex.Pattern;

/** The pieces of SQL text the schema questions share: names (backquoted or not), string literals, errors. */
final class SqlText {

    static final int FLAGS = Pattern.CASE_INSENSITIVE | Pattern.DOTALL;
    /** One name: {@code `any``thing`} or a bare word. */
    static final String NAME = "(`(?:[^`]|``)+`|[\\w$]+)";
    /** {@code [db.]table}: groups db (may be null) and table. */
    static final String TABLE = "(?:" + NAME + "\\s*\\.\\s*)?" + NAME;
    /** A string literal in single or double quotes. */
    static final String STRING = "('(?:[^'\\\\]|\\\\.|'')*'|\"(?:[^\"\\\\]|\\\\.|\"\")*\")";

    private SqlText() {
    }

    /** The statement without the comments tools put before it and without trailing terminators. */
    static String statement(String sql) {
        return StatementText.bare(sql);
    }

    /** The name a {@link #NAME} match denotes; null stays null. */
    static String name(String matched) {
        if (matched == null || !matched.startsWith("`")) {
            return matched;
        }
        return matched.substring(1, matched.length() - 1).replace("``", "`");
    }

    /** The text of a {@link #STRING} match. Backslashes before % and _ stay: they escape LIKE wildcards. */
    static String string(String literal) {
        char quote = literal.charAt(0);
        StringBuilder text = new StringBuilder();
        for (int i = 1; i < literal.length() - 1; i++) {
            char c = literal.charAt(i);
            if (c == quote) {
                i++; // a doubled quote
            } else if (c == '\\') {
                char escaped = literal.charAt(++i);
                if (escaped == '%' || escaped == '_') {
                    text.append('\\');
                }
                c = escaped;
            }
            text.append(c);
        }
        return text.toString();
    }

    /** The schema a statement means: the one it names, else the session's; null when neither. */
    static String schema(String named, Session session) {
        return named != null ? named : session.schema();
    }

    static QueryResult.Error noDatabaseSelected() {
        return QueryResult.error(1046, "3D000", "No database selected");
    }

    static QueryResult.Error noSuchTable(String db, String table) {
        return QueryResult.error(1146, "42S02", "Table '" + db + "." + table + "' doesn't exist");
    }
}
