package io.gbinlog.protocol.query;

import io.gbinlog.protocol.packet.ColumnType;
import io.gbinlog.protocol.query.SqlLexer.Kind;
import io.gbinlog.protocol.query.SqlLexer.Token;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * Answers the statements clients send around their real work, the same way for every application:
 * {@code SET} (user variables kept per session; system variables accepted, simple session values kept),
 * {@code SELECT} of variables, literals and session functions ({@code @@version_comment}, {@code @x},
 * {@code DATABASE()}, {@code 1}), {@code SHOW [GLOBAL|SESSION] VARIABLES [LIKE ... | WHERE Variable_name IN (...)]}
 * and {@code USE}.
 * A statement that is not entirely of that kind is not answered here (null) and goes to the application.
 */
public final class SessionStatements {

    private static final Set<String> NOT_AN_ALIAS = Set.of("FROM", "LIMIT", "WHERE", "ORDER", "GROUP", "HAVING",
            "UNION", "INTO", "FOR", "LOCK", "WINDOW");

    private static final Map<String, Function<Session, SqlValue>> FUNCTIONS = Map.of(
            "DATABASE", SessionStatements::schemaOf,
            "SCHEMA", SessionStatements::schemaOf,
            "USER", SessionStatements::userAtHost,
            "SESSION_USER", SessionStatements::userAtHost,
            "SYSTEM_USER", SessionStatements::userAtHost,
            "CURRENT_USER", session -> SqlValue.string(session.user() + "@%"),
            "CONNECTION_ID", session -> new SqlValue(ColumnType.BIGINT_UNSIGNED, Long.toString(session.connectionId())),
            "UNIX_TIMESTAMP", session -> SqlValue.integer(System.currentTimeMillis() / 1000),
            "UUID", session -> SqlValue.string(UUID.randomUUID().toString())); // Canal: SET @slave_uuid = uuid()

    private final ServerVariables variables;
    private final Predicate<String> schemaExists;

    /** {@code schemaExists} decides which schemas {@code USE} accepts (MySQL's error 1049 for the others). */
    public SessionStatements(ServerVariables variables, Predicate<String> schemaExists) {
        this.variables = variables;
        this.schemaExists = schemaExists;
    }

    /** Session statements of a server that accepts any schema name. */
    public SessionStatements(ServerVariables variables) {
        this(variables, schema -> true);
    }

    /** The answer to {@code sql} if it is a session statement, else null. */
    public QueryResult answer(Session session, String sql) {
        List<Token> tokens = SqlLexer.tokenize(sql);
        if (tokens == null) {
            return null;
        }
        Cursor in = new Cursor(sql, tokens);
        while (in.acceptSymbol(";")) {
            // a leading empty statement is not an error
        }
        if (in.peek().kind() == Kind.END) {
            return QueryResult.error(1065, "42000", "Query was empty");
        }
        try {
            Token first = in.next();
            if (first.isWord("SET")) {
                return set(session, in);
            } else if (first.isWord("SELECT")) {
                return select(session, in);
            } else if (first.isWord("SHOW")) {
                return show(session, in);
            } else if (first.isWord("USE")) {
                return use(session, in);
            }
            return null;
        } catch (Decline notBoilerplate) {
            return null;
        } catch (SqlError error) {
            return error.error;
        }
    }

    // ---- SET

    private QueryResult set(Session session, Cursor in) {
        List<Runnable> assignments = new ArrayList<>();
        do {
            assignments.add(assignment(session, in));
        } while (in.acceptSymbol(","));
        in.expectEnd();
        assignments.forEach(Runnable::run);
        return QueryResult.ok();
    }

    /** Parses one assignment; the returned action performs it once the whole statement parsed. */
    private Runnable assignment(Session session, Cursor in) {
        Token target = in.next();
        if (target.kind() == Kind.USER_VARIABLE) {
            in.expectAssignment();
            Expr value = expression(in);
            return () -> session.setUserVariable(target.text(), value.evaluate(session));
        }
        if (target.kind() == Kind.SYSTEM_VARIABLE) {
            in.expectAssignment();
            return systemAssignment(session, !"global".equals(target.scope()), target.text(), in);
        }
        if (target.kind() != Kind.WORD) {
            throw Decline.INSTANCE;
        }
        String word = target.text().toUpperCase(Locale.ROOT);
        switch (word) {
            case "NAMES", "CHARSET" -> {
                in.skipValue(); // the connection is utf8mb4 whatever the client asks
                return () -> { };
            }
            case "CHARACTER" -> {
                in.expectWord("SET");
                in.skipValue();
                return () -> { };
            }
            case "TRANSACTION" -> {
                in.skipRest(); // nothing here is transactional
                return () -> { };
            }
            case "GLOBAL", "SESSION", "LOCAL", "PERSIST", "PERSIST_ONLY" -> {
                if (in.peek().isWord("TRANSACTION")) {
                    in.skipRest();
                    return () -> { };
                }
                Token name = in.next();
                if (name.kind() != Kind.WORD) {
                    throw Decline.INSTANCE;
                }
                in.expectAssignment();
                return systemAssignment(session, word.equals("SESSION") || word.equals("LOCAL"), name.text(), in);
            }
            default -> {
                in.expectAssignment();
                return systemAssignment(session, true, target.text(), in);
            }
        }
    }

    /**
     * Clients set system variables to shape their session (autocommit, sql_mode, time_zone, timeouts).
     * They are accepted; a plain value set for the session is remembered so that reading it back agrees.
     * Global changes and computed values (CONCAT(@@sql_mode, ...)) have no effect here.
     */
    private static Runnable systemAssignment(Session session, boolean forSession, String name, Cursor in) {
        List<Token> value = in.skipValue();
        if (!forSession || value.size() > 2) {
            return () -> { };
        }
        Token first = value.get(0);
        if (value.size() == 2) {
            if (!first.isSymbol("-") || value.get(1).kind() != Kind.NUMBER) {
                return () -> { };
            }
            String negative = "-" + value.get(1).text();
            return () -> session.setSystemVariable(name, negative);
        }
        if (first.isWord("DEFAULT")) {
            return () -> session.resetSystemVariable(name);
        }
        if (first.kind() == Kind.STRING || first.kind() == Kind.NUMBER || first.kind() == Kind.WORD) {
            return () -> session.setSystemVariable(name, first.text());
        }
        return () -> { };
    }

    // ---- SELECT

    private QueryResult select(Session session, Cursor in) {
        List<String> names = new ArrayList<>();
        List<Expr> items = new ArrayList<>();
        do {
            Token first = in.peek();
            items.add(expression(in));
            String name = first.kind() == Kind.STRING ? first.text() : in.source(first, in.previous());
            Token alias = in.peek();
            if (alias.isWord("AS")) {
                in.next();
                alias = in.peek();
                if (alias.kind() != Kind.WORD && alias.kind() != Kind.QUOTED_NAME && alias.kind() != Kind.STRING) {
                    throw Decline.INSTANCE;
                }
            }
            if (alias.kind() == Kind.QUOTED_NAME || alias.kind() == Kind.STRING
                    || (alias.kind() == Kind.WORD && !NOT_AN_ALIAS.contains(alias.text().toUpperCase(Locale.ROOT)))) {
                in.next();
                name = alias.text();
            }
            names.add(name);
        } while (in.acceptSymbol(","));
        if (in.acceptWord("FROM")) {
            in.expectWord("DUAL");
        }
        long limit = Long.MAX_VALUE;
        if (in.acceptWord("LIMIT")) {
            Token count = in.next();
            if (count.kind() != Kind.NUMBER || count.text().contains(".")) {
                throw Decline.INSTANCE;
            }
            limit = Long.parseLong(count.text());
        }
        in.expectEnd();

        List<Column> columns = new ArrayList<>();
        List<Object> row = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            SqlValue value = items.get(i).evaluate(session);
            columns.add(new Column(names.get(i), value.type()));
            row.add(value.text());
        }
        return QueryResult.resultSet(columns, limit == 0 ? List.of() : List.of(row));
    }

    // ---- SHOW VARIABLES

    private QueryResult show(Session session, Cursor in) {
        boolean forSession = true;
        if (in.acceptWord("GLOBAL")) {
            forSession = false;
        } else if (!in.acceptWord("SESSION")) {
            in.acceptWord("LOCAL");
        }
        in.expectWord("VARIABLES");
        Pattern like = null;
        Set<String> named = null;
        if (in.acceptWord("LIKE")) {
            Token pattern = in.next();
            if (pattern.kind() != Kind.STRING) {
                throw Decline.INSTANCE;
            }
            like = likePattern(pattern.text());
        } else if (in.acceptWord("WHERE")) {
            named = variableNames(in);
        }
        in.expectEnd();

        List<List<Object>> rows = new ArrayList<>();
        for (Map.Entry<String, String> variable : variables.snapshot().entrySet()) {
            String name = variable.getKey();
            if ((like != null && !like.matcher(name).matches())
                    || (named != null && !named.contains(name.toLowerCase(Locale.ROOT)))) {
                continue;
            }
            String own = forSession ? session.systemVariable(name) : null;
            rows.add(Arrays.asList(name, own != null ? own : variable.getValue()));
        }
        return QueryResult.resultSet(
                List.of(new Column("Variable_name", ColumnType.VARCHAR), new Column("Value", ColumnType.VARCHAR)), rows);
    }

    /**
     * The names of {@code WHERE Variable_name = 'a'}, {@code WHERE Variable_name IN ('a', 'b')} and ORs of those
     * (Debezium asks for its charset variables so), lower case; any other condition is not ours.
     */
    private static Set<String> variableNames(Cursor in) {
        Set<String> names = new java.util.HashSet<>();
        do {
            Token column = in.next();
            if ((column.kind() != Kind.WORD && column.kind() != Kind.QUOTED_NAME)
                    || !column.text().equalsIgnoreCase("Variable_name")) {
                throw Decline.INSTANCE;
            }
            if (in.acceptSymbol("=")) {
                names.add(variableName(in.next()));
            } else {
                in.expectWord("IN");
                if (!in.acceptSymbol("(")) {
                    throw Decline.INSTANCE;
                }
                do {
                    names.add(variableName(in.next()));
                } while (in.acceptSymbol(","));
                if (!in.acceptSymbol(")")) {
                    throw Decline.INSTANCE;
                }
            }
        } while (in.acceptWord("OR"));
        return names;
    }

    private static String variableName(Token literal) {
        if (literal.kind() != Kind.STRING) {
            throw Decline.INSTANCE;
        }
        return literal.text().toLowerCase(Locale.ROOT);
    }

    /** LIKE semantics: % any run, _ one character, backslash escapes; case-insensitive like MySQL's collation. */
    public static Pattern likePattern(String like) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < like.length(); i++) {
            char c = like.charAt(i);
            if (c == '\\' && i + 1 < like.length()) {
                regex.append(Pattern.quote(String.valueOf(like.charAt(++i))));
            } else if (c == '%') {
                regex.append(".*");
            } else if (c == '_') {
                regex.append('.');
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE | Pattern.DOTALL);
    }

    // ---- USE

    private QueryResult use(Session session, Cursor in) {
        Token schema = in.next();
        if (schema.kind() != Kind.WORD && schema.kind() != Kind.QUOTED_NAME) {
            throw Decline.INSTANCE;
        }
        in.expectEnd();
        if (!schemaExists.test(schema.text())) {
            return QueryResult.unknownDatabase(schema.text());
        }
        session.schema(schema.text());
        return QueryResult.ok();
    }

    // ---- expressions: one literal, variable or session function

    private Expr expression(Cursor in) {
        Token token = in.next();
        switch (token.kind()) {
            case STRING -> {
                SqlValue value = SqlValue.string(token.text());
                return session -> value;
            }
            case NUMBER -> {
                SqlValue value = number(token.text());
                return session -> value;
            }
            case USER_VARIABLE -> {
                return session -> session.userVariableValue(token.text());
            }
            case SYSTEM_VARIABLE -> {
                return session -> systemVariable(session, token.scope(), token.text());
            }
            case SYMBOL -> {
                if (token.isSymbol("-") && in.peek().kind() == Kind.NUMBER) {
                    SqlValue value = number("-" + in.next().text());
                    return session -> value;
                }
                throw Decline.INSTANCE;
            }
            case WORD -> {
                return word(token, in);
            }
            default -> throw Decline.INSTANCE;
        }
    }

    private Expr word(Token token, Cursor in) {
        String word = token.text().toUpperCase(Locale.ROOT);
        switch (word) {
            case "NULL":
                return session -> SqlValue.NULL;
            case "TRUE":
                return session -> SqlValue.integer(1);
            case "FALSE":
                return session -> SqlValue.integer(0);
            case "VERSION":
                in.expectCall();
                return session -> systemVariable(session, "global", "version");
            default:
                Function<Session, SqlValue> function = FUNCTIONS.get(word);
                if (function == null) {
                    throw Decline.INSTANCE;
                }
                if (word.equals("CURRENT_USER") && !in.peek().isSymbol("(")) {
                    return function::apply; // CURRENT_USER may be written without parentheses
                }
                in.expectCall();
                return function::apply;
        }
    }

    private SqlValue systemVariable(Session session, String scope, String name) {
        if (!"global".equals(scope)) {
            String own = session.systemVariable(name);
            if (own != null) {
                return SqlValue.inferred(own);
            }
        }
        if (!variables.contains(name)) {
            throw new SqlError(QueryResult.error(1193, "HY000", "Unknown system variable '" + name + "'"));
        }
        return SqlValue.inferred(variables.value(name));
    }

    private static SqlValue number(String text) {
        if (!text.contains(".") && text.length() <= 18) {
            return new SqlValue(ColumnType.BIGINT, text);
        }
        return new SqlValue(ColumnType.DECIMAL, text);
    }

    private static SqlValue schemaOf(Session session) {
        return session.schema() == null ? SqlValue.NULL : SqlValue.string(session.schema());
    }

    private static SqlValue userAtHost(Session session) {
        return SqlValue.string(session.user() + "@" + session.remoteHost());
    }

    /** A parsed expression, evaluated once the whole statement is known to be ours. */
    private interface Expr {
        SqlValue evaluate(Session session);
    }

    /** The statement is not (entirely) a session statement: leave it to the application. */
    private static final class Decline extends RuntimeException {
        static final Decline INSTANCE = new Decline();

        private Decline() {
            super(null, null, false, false);
        }
    }

    /** The statement is ours but fails, as it would on MySQL. */
    private static final class SqlError extends RuntimeException {
        final QueryResult.Error error;

        SqlError(QueryResult.Error error) {
            super(error.message(), null, false, false);
            this.error = error;
        }
    }

    private static final class Cursor {
        private final String sql;
        private final List<Token> tokens;
        private int index;

        Cursor(String sql, List<Token> tokens) {
            this.sql = sql;
            this.tokens = tokens;
        }

        Token peek() {
            return tokens.get(index);
        }

        Token next() {
            Token token = tokens.get(index);
            if (token.kind() != Kind.END) {
                index++;
            }
            return token;
        }

        Token previous() {
            return tokens.get(index - 1);
        }

        String source(Token first, Token last) {
            return sql.substring(first.start(), last.end());
        }

        boolean acceptWord(String word) {
            if (peek().isWord(word)) {
                index++;
                return true;
            }
            return false;
        }

        boolean acceptSymbol(String symbol) {
            if (peek().isSymbol(symbol)) {
                index++;
                return true;
            }
            return false;
        }

        void expectWord(String word) {
            if (!acceptWord(word)) {
                throw Decline.INSTANCE;
            }
        }

        void expectAssignment() {
            if (!acceptSymbol("=") && !acceptSymbol(":=")) {
                throw Decline.INSTANCE;
            }
        }

        void expectCall() {
            if (!acceptSymbol("(") || !acceptSymbol(")")) {
                throw Decline.INSTANCE;
            }
        }

        /** Only trailing semicolons may follow: a second statement is not ours to run. */
        void expectEnd() {
            while (acceptSymbol(";")) {
                // trailing terminators are allowed
            }
            if (peek().kind() != Kind.END) {
                throw Decline.INSTANCE;
            }
        }

        /** Consumes the tokens of one value, up to a comma or the end outside parentheses. */
        List<Token> skipValue() {
            List<Token> value = new ArrayList<>();
            int depth = 0;
            while (true) {
                Token token = peek();
                if (token.kind() == Kind.END || (depth == 0 && (token.isSymbol(",") || token.isSymbol(";")))) {
                    break;
                }
                if (token.isSymbol("(")) {
                    depth++;
                } else if (token.isSymbol(")")) {
                    depth--;
                }
                value.add(next());
            }
            if (value.isEmpty()) {
                throw Decline.INSTANCE;
            }
            return value;
        }

        void skipRest() {
            while (peek().kind() != Kind.END && !peek().isSymbol(";")) {
                next();
            }
        }
    }
}
