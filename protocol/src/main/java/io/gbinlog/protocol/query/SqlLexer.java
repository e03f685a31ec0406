package io.gbinlog.protocol.query;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits a statement into the few token kinds the session statements need. Comments are skipped, and
 * the content of a versioned comment ({@code /*!40101 ... *}{@code /}) is read as code, as MySQL does.
 * Returns null for text it cannot tokenize (an unterminated string): such a statement is not boilerplate.
 */
final class SqlLexer {

    enum Kind { WORD, QUOTED_NAME, STRING, NUMBER, USER_VARIABLE, SYSTEM_VARIABLE, SYMBOL, END }

    /**
     * {@code text} is the word, the unquoted name or string, the number, the variable name or the symbol;
     * {@code scope} is the lower-case scope of a system variable ({@code global}, {@code session}) or null.
     */
    record Token(Kind kind, String text, String scope, int start, int end) {

        boolean isWord(String word) {
            return kind == Kind.WORD && text.equalsIgnoreCase(word);
        }

        boolean isSymbol(String symbol) {
            return kind == Kind.SYMBOL && text.equals(symbol);
        }
    }

    private final String sql;
    private int pos;
    private boolean inVersionedComment;

    private SqlLexer(String sql) {
        this.sql = sql;
    }

    static List<Token> tokenize(String sql) {
        return new SqlLexer(sql).run();
    }

    private List<Token> run() {
        List<Token> tokens = new ArrayList<>();
        while (true) {
            if (!skipSpaceAndComments()) {
                return null;
            }
            if (pos >= sql.length()) {
                tokens.add(new Token(Kind.END, "", null, pos, pos));
                return tokens;
            }
            Token token = next();
            if (token == null) {
                return null;
            }
            tokens.add(token);
        }
    }

    private boolean skipSpaceAndComments() {
        while (pos < sql.length()) {
            char c = sql.charAt(pos);
            if (Character.isWhitespace(c)) {
                pos++;
            } else if (sql.startsWith("/*!", pos)) {
                pos += 3;
                while (pos < sql.length() && Character.isDigit(sql.charAt(pos))) {
                    pos++;
                }
                inVersionedComment = true;
            } else if (sql.startsWith("*/", pos) && inVersionedComment) {
                pos += 2;
                inVersionedComment = false;
            } else if (sql.startsWith("/*", pos)) {
                int end = sql.indexOf("*/", pos + 2);
                if (end < 0) {
                    return false;
                }
                pos = end + 2;
            } else if (c == '#' || sql.startsWith("-- ", pos) || sql.startsWith("--\t", pos)
                    || (sql.startsWith("--", pos) && pos + 2 == sql.length())) {
                int end = sql.indexOf('\n', pos);
                pos = end < 0 ? sql.length() : end + 1;
            } else {
                return true;
            }
        }
        return true;
    }

    private Token next() {
        int start = pos;
        char c = sql.charAt(pos);
        if (c == '\'' || c == '"') {
            String text = quoted(c);
            return text == null ? null : new Token(Kind.STRING, text, null, start, pos);
        }
        if (c == '`') {
            String text = quoted(c);
            return text == null ? null : new Token(Kind.QUOTED_NAME, text, null, start, pos);
        }
        if (c == '@') {
            return variable(start);
        }
        if (Character.isDigit(c)) {
            String run = word();
            if (run.chars().allMatch(Character::isDigit)) {
                if (pos + 1 < sql.length() && sql.charAt(pos) == '.' && Character.isDigit(sql.charAt(pos + 1))) {
                    pos++;
                    run = run + "." + word();
                }
                if (run.matches("\\d+(\\.\\d+)?")) {
                    return new Token(Kind.NUMBER, run, null, start, pos);
                }
                return null;
            }
            return new Token(Kind.WORD, run, null, start, pos);
        }
        if (isWordChar(c)) {
            return new Token(Kind.WORD, word(), null, start, pos);
        }
        if (sql.startsWith(":=", pos)) {
            pos += 2;
            return new Token(Kind.SYMBOL, ":=", null, start, pos);
        }
        pos++;
        return new Token(Kind.SYMBOL, String.valueOf(c), null, start, pos);
    }

    private Token variable(int start) {
        if (sql.startsWith("@@", pos)) {
            pos += 2;
            String name = word();
            String scope = null;
            String lower = name.toLowerCase(Locale.ROOT);
            if ((lower.equals("global") || lower.equals("session") || lower.equals("local"))
                    && pos < sql.length() && sql.charAt(pos) == '.') {
                pos++;
                scope = lower.equals("local") ? "session" : lower;
                name = word();
            }
            return name.isEmpty() ? null : new Token(Kind.SYSTEM_VARIABLE, name, scope, start, pos);
        }
        pos++;
        String name;
        if (pos < sql.length() && "'\"`".indexOf(sql.charAt(pos)) >= 0) {
            name = quoted(sql.charAt(pos));
        } else {
            name = word();
            while (pos < sql.length() && sql.charAt(pos) == '.') { // '.' is legal inside user variable names
                pos++;
                name = name + "." + word();
            }
        }
        return name == null || name.isEmpty() ? null : new Token(Kind.USER_VARIABLE, name, null, start, pos);
    }

    private String word() {
        int start = pos;
        while (pos < sql.length() && isWordChar(sql.charAt(pos))) {
            pos++;
        }
        return sql.substring(start, pos);
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    /** Reads a quoted string or name, undoing doubled quotes and (except in names) backslash escapes. */
    private String quoted(char quote) {
        StringBuilder text = new StringBuilder();
        pos++;
        while (pos < sql.length()) {
            char c = sql.charAt(pos++);
            if (c == quote) {
                if (pos < sql.length() && sql.charAt(pos) == quote) {
                    text.append(quote);
                    pos++;
                } else {
                    return text.toString();
                }
            } else if (c == '\\' && quote != '`' && pos < sql.length()) {
                char escaped = sql.charAt(pos++);
                switch (escaped) {
                    case '0' -> text.append('\0');
                    case 'b' -> text.append('\b');
                    case 'n' -> text.append('\n');
                    case 'r' -> text.append('\r');
                    case 't' -> text.append('\t');
                    case 'Z' -> text.append('\032');
                    case '%', '_' -> text.append('\\').append(escaped); // kept for LIKE patterns, as in MySQL
                    default -> text.append(escaped);
                }
            } else {
                text.append(c);
            }
        }
        return null;
    }
}
