package io.gbinlog.protocol.query;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a multi-statement COM_QUERY ({@code CLIENT_MULTI_STATEMENTS}) at its top-level semicolons, as MySQL
 * does: semicolons inside strings, quoted names and comments do not split, and the empty text after a last
 * semicolon is no statement. Text the lexer cannot read (an unterminated string) stays one statement, to fail
 * as a whole.
 */
public final class StatementSplitter {

    private StatementSplitter() {
    }

    /** The statements of {@code sql}, each without its terminating semicolon; at least one (maybe empty). */
    public static List<String> split(String sql) {
        List<SqlLexer.Token> tokens = SqlLexer.tokenize(sql);
        if (tokens == null) {
            return List.of(sql);
        }
        List<String> statements = new ArrayList<>();
        int start = 0;
        boolean empty = true;
        for (SqlLexer.Token token : tokens) {
            if (token.kind() == SqlLexer.Kind.END) {
                break;
            }
            if (token.isSymbol(";")) {
                if (!empty) {
                    statements.add(sql.substring(start, token.start()));
                }
                start = token.end();
                empty = true;
            } else {
                empty = false;
            }
        }
        if (!empty || statements.isEmpty()) {
            statements.add(sql.substring(start));
        }
        return statements;
    }
}
