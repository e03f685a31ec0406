package io.gbinlog.merger.logical;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Rewrites the physical schema and table names in a statement text (the rows-query event before a statement's table
 * maps) to logical ones, so that a consumer showing the statement sees the names its table maps carry.
 *
 * <p>It works on the text's bytes, as the data node logged them, and copies everything it does not rewrite byte for
 * byte: string literals (which may hold any bytes), comments (which carry the {@code sql_id}) and spacing. Names are
 * found as chains of identifiers joined by dots, plain or in backquotes: {@code db.table} and {@code db.table.column}
 * are mapped as the mapping says; a name without a database, or the qualifier of {@code table.column}, is rewritten
 * when it is the table name of one of the statement's table maps (their database is the statement's default one).
 * Optimizer hints and versioned comments ({@code /*+ ...}, {@code /*!...}) are read as code. Strings are taken with
 * backslash escapes, as under the default SQL mode. Not thread-safe: one per writer.
 */
public final class StatementRewriter {

    /** Physical to logical names; each call may return the physical name itself when the name stays. */
    public interface Mapping {
        String db(String physicalDb, String physicalTable);

        String table(String physicalDb, String physicalTable);
    }

    private final Mapping mapping;
    private final Chain chain = new Chain();
    private Table[] tables = new Table[4];
    private int tableCount;
    private byte[] out = new byte[256];
    private int outLength;
    private byte[] text;
    private int end;
    /** Everything of the input before this offset is already in {@link #out} (once anything was rewritten). */
    private int copied;
    private boolean changed;

    public StatementRewriter(Mapping mapping) {
        this.mapping = mapping;
    }

    /** Forgets the tables of the previous statement. */
    public void clearTables() {
        tableCount = 0;
    }

    /** A physical table of the statement's table maps: its unqualified name is rewritten too. */
    public void addTable(String db, String table) {
        String logical = mapping.table(db, table);
        if (logical.equals(table)) {
            return;
        }
        if (tableCount == tables.length) {
            tables = Arrays.copyOf(tables, tableCount * 2);
        }
        tables[tableCount++] = new Table(table.getBytes(StandardCharsets.UTF_8), logical);
    }

    /**
     * Rewrites {@code text[off, off + len)} with the tables added since {@link #clearTables()}.
     *
     * @return true when a name changed; the new text is then {@code output()[0, outputLength())}
     */
    public boolean rewrite(byte[] text, int off, int len) {
        this.text = text;
        this.end = off + len;
        this.copied = off;
        this.outLength = 0;
        this.changed = false;
        int p = off;
        while (p < end) {
            int c = text[p] & 0xff;
            if (c == '\'' || c == '"') {
                p = skipString(p, c);
            } else if (c == '/' && at(p + 1) == '*' && at(p + 2) != '!' && at(p + 2) != '+') {
                p = skipComment(p);
            } else if (c == '/' && at(p + 1) == '*') {
                p += 3; // a hint or versioned comment: its content is code
            } else if (c == '#' || (c == '-' && at(p + 1) == '-' && (isSpace(at(p + 2)) || p + 2 == end))) {
                p = skipLine(p);
            } else if (c == '@') {
                p = skipVariable(p);
            } else if (c == '`' || isWordByte(c)) {
                p = chain(p);
            } else {
                p++;
            }
        }
        if (changed) {
            append(text, copied, end - copied);
        }
        this.text = null;
        return changed;
    }

    public byte[] output() {
        return out;
    }

    public int outputLength() {
        return outLength;
    }

    /** Reads identifiers joined by dots from {@code p}; rewrites what names a table; returns the offset after them. */
    private int chain(int p) {
        chain.count = 0;
        while (true) {
            int start = p;
            boolean quoted = text[p] == '`';
            p = quoted ? skipQuotedName(p) : skipWord(p);
            chain.add(start, p, quoted);
            if (p < end - 1 && text[p] == '.' && (text[p + 1] == '`' || isWordByte(text[p + 1] & 0xff))
                    && chain.count < Chain.MAX) {
                p++;
            } else {
                break;
            }
        }
        if (chain.count == 1 && isNumber(0) || chain.count > 1 && (isNumber(0) || isNumber(1))) {
            return p; // 1.5, 1e3: numbers, not names
        }
        if (chain.count >= 2) {
            String db = chain.name(0, text);
            String table = chain.name(1, text);
            String logicalDb = mapping.db(db, table);
            String logicalTable = mapping.table(db, table);
            if (!logicalDb.equals(db) || !logicalTable.equals(table)) {
                replace(0, logicalDb);
                replace(1, logicalTable);
                return p;
            }
        }
        if (chain.count <= 2) {
            String logical = unqualifiedTable();
            if (logical != null) {
                replace(0, logical);
            }
        }
        return p;
    }

    /** The logical name when the chain's first identifier is the table name of one of the statement's tables. */
    private String unqualifiedTable() {
        if (tableCount == 0) {
            return null;
        }
        int from = chain.starts[0];
        int to = chain.ends[0];
        if (chain.quoted[0]) {
            from++;
            to--;
            if (indexOf(from, to, (byte) '`') >= 0) {
                return null; // a doubled backquote in the name: no shard table name has one
            }
        }
        for (int i = 0; i < tableCount; i++) {
            byte[] name = tables[i].physical;
            if (Arrays.equals(name, 0, name.length, text, from, to)) {
                return tables[i].logical;
            }
        }
        return null;
    }

    private int indexOf(int from, int to, byte b) {
        for (int i = from; i < to; i++) {
            if (text[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private void replace(int index, String name) {
        int start = chain.starts[index];
        append(text, copied, start - copied);
        copied = chain.ends[index];
        boolean quote = chain.quoted[index] || !isPlainName(name);
        if (quote) {
            append((byte) '`');
        }
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        for (byte b : bytes) {
            if (b == '`') {
                append((byte) '`');
            }
            append(b);
        }
        if (quote) {
            append((byte) '`');
        }
        changed = true;
    }

    private boolean isNumber(int index) {
        if (chain.quoted[index]) {
            return false;
        }
        int start = chain.starts[index];
        int stop = chain.ends[index];
        if (!isDigit(text[start])) {
            return false;
        }
        int i = start;
        while (i < stop && isDigit(text[i])) {
            i++;
        }
        if (i == stop) {
            return true;
        }
        if (i == start + 1 && text[start] == '0' && (text[i] == 'x' || text[i] == 'b')) {
            return true; // 0x1F, 0b101
        }
        if (text[i] == 'e' || text[i] == 'E') {
            i++;
            while (i < stop && isDigit(text[i])) {
                i++;
            }
            return i == stop;
        }
        return false;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static boolean isPlainName(String name) {
        if (name.isEmpty()) {
            return false;
        }
        boolean allDigits = true;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            boolean ascii = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
            boolean digit = c >= '0' && c <= '9';
            if (!ascii && !digit) {
                return false;
            }
            allDigits &= digit;
        }
        return !allDigits;
    }

    /** {@code @name}, {@code @`name`}, {@code @@scope.name}: variables, never tables (quoted ones as strings). */
    private int skipVariable(int p) {
        while (p < end && text[p] == '@') {
            p++;
        }
        if (p < end && (text[p] == '\'' || text[p] == '"')) {
            return skipString(p, text[p]);
        }
        if (p < end && text[p] == '`') {
            return skipQuotedName(p);
        }
        while (p < end && (isWordByte(text[p] & 0xff) || text[p] == '.')) {
            p++;
        }
        return p;
    }

    private int skipWord(int p) {
        while (p < end && isWordByte(text[p] & 0xff)) {
            p++;
        }
        return p;
    }

    /** After the closing backquote (a doubled one is part of the name), or the end of an unterminated name. */
    private int skipQuotedName(int p) {
        p++;
        while (p < end) {
            if (text[p] == '`') {
                if (p + 1 < end && text[p + 1] == '`') {
                    p += 2;
                } else {
                    return p + 1;
                }
            } else {
                p++;
            }
        }
        return end;
    }

    private int skipString(int p, int quote) {
        p++;
        while (p < end) {
            int c = text[p] & 0xff;
            if (c == '\\') {
                p += 2;
            } else if (c == quote) {
                if (p + 1 < end && (text[p + 1] & 0xff) == quote) {
                    p += 2;
                } else {
                    return p + 1;
                }
            } else {
                p++;
            }
        }
        return end;
    }

    private int skipComment(int p) {
        for (int i = p + 2; i < end - 1; i++) {
            if (text[i] == '*' && text[i + 1] == '/') {
                return i + 2;
            }
        }
        return end;
    }

    private int skipLine(int p) {
        while (p < end && text[p] != '\n') {
            p++;
        }
        return p;
    }

    private int at(int p) {
        return p < end ? text[p] & 0xff : -1;
    }

    private static boolean isSpace(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
    }

    /** Bytes of an unquoted identifier: ASCII letters, digits, _ and $, and any byte of a multi-byte character. */
    private static boolean isWordByte(int c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$'
                || c >= 0x80;
    }

    private void append(byte[] src, int from, int length) {
        ensure(length);
        System.arraycopy(src, from, out, outLength, length);
        outLength += length;
    }

    private void append(byte b) {
        ensure(1);
        out[outLength++] = b;
    }

    private void ensure(int more) {
        if (outLength + more > out.length) {
            out = Arrays.copyOf(out, Math.max(out.length * 2, outLength + more));
        }
    }

    private record Table(byte[] physical, String logical) {
    }

    /** The identifiers of one dotted name: offsets of each, with its backquotes. */
    private static final class Chain {
        static final int MAX = 3;
        final int[] starts = new int[MAX];
        final int[] ends = new int[MAX];
        final boolean[] quoted = new boolean[MAX];
        int count;

        void add(int start, int end, boolean isQuoted) {
            starts[count] = start;
            ends[count] = end;
            quoted[count++] = isQuoted;
        }

        String name(int index, byte[] text) {
            if (!quoted[index]) {
                return new String(text, starts[index], ends[index] - starts[index], StandardCharsets.UTF_8);
            }
            String inside = new String(text, starts[index] + 1, Math.max(0, ends[index] - starts[index] - 2),
                    StandardCharsets.UTF_8);
            return inside.replace("``", "`");
        }
    }
}
