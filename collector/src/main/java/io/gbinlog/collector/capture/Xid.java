package io.gbinlog.collector.capture;

import io.gbinlog.collector.ordering.Gtrid;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * An XA transaction branch id: format id, gtrid, bqual (binary). Data nodes write it into the binlog in SQL
 * form, {@code X'6731',X'6231',1}, in the XA COMMIT / XA ROLLBACK statements and in SHOW BINLOG EVENTS.
 */
public final class Xid {

    private static final HexFormat HEX = HexFormat.of();

    private final int formatId;
    private final byte[] gtrid;
    private final byte[] bqual;

    public Xid(int formatId, byte[] gtrid, byte[] bqual) {
        this.formatId = formatId;
        this.gtrid = gtrid.clone();
        this.bqual = bqual.clone();
    }

    /** The XID of XA RECOVER's columns: {@code data} holds gtrid then bqual. */
    public static Xid of(int formatId, int gtridLength, int bqualLength, byte[] data) {
        if (gtridLength < 0 || bqualLength < 0 || gtridLength + bqualLength != data.length) {
            throw new IllegalArgumentException("XID data of " + data.length + " bytes does not hold a gtrid of "
                    + gtridLength + " and a bqual of " + bqualLength + " bytes");
        }
        return new Xid(formatId, Arrays.copyOfRange(data, 0, gtridLength), Arrays.copyOfRange(data, gtridLength, data.length));
    }

    /**
     * Parses the SQL form that starts at {@code from}: {@code gtrid[,bqual[,formatID]]}, each string as
     * {@code X'hex'} or {@code 'text'}; anything after it is ignored.
     *
     * @throws IllegalArgumentException when no XID starts there
     */
    public static Xid parse(String sql, int from) {
        Parser p = new Parser(sql, from);
        byte[] gtrid = p.string();
        byte[] bqual = new byte[0];
        int formatId = 1;
        if (p.comma()) {
            bqual = p.string();
            if (p.comma()) {
                formatId = p.number();
            }
        }
        return new Xid(formatId, gtrid, bqual);
    }

    public int formatId() {
        return formatId;
    }

    /** The key that joins a distributed transaction's branches and its commit_log row. */
    public Gtrid gtrid() {
        return Gtrid.of(gtrid);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Xid x && formatId == x.formatId && Arrays.equals(gtrid, x.gtrid) && Arrays.equals(bqual, x.bqual);
    }

    @Override
    public int hashCode() {
        return (Arrays.hashCode(gtrid) * 31 + Arrays.hashCode(bqual)) * 31 + formatId;
    }

    /** The SQL form the servers write: {@code X'..',X'..',n}. */
    @Override
    public String toString() {
        return "X'" + HEX.formatHex(gtrid) + "',X'" + HEX.formatHex(bqual) + "'," + formatId;
    }

    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s, int from) {
            this.s = s;
            this.i = from;
        }

        byte[] string() {
            skipSpaces();
            boolean hex = i < s.length() && (s.charAt(i) == 'X' || s.charAt(i) == 'x');
            if (hex) {
                i++;
            }
            expect('\'');
            int end = s.indexOf('\'', i);
            if (end < 0) {
                throw error("an unterminated string");
            }
            String body = s.substring(i, end);
            i = end + 1;
            try {
                return hex ? HEX.parseHex(body) : body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw error("X'" + body + "', which is not hexadecimal");
            }
        }

        boolean comma() {
            skipSpaces();
            if (i < s.length() && s.charAt(i) == ',') {
                i++;
                return true;
            }
            return false;
        }

        int number() {
            skipSpaces();
            int start = i;
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
            }
            if (start == i) {
                throw error("no format id");
            }
            return Integer.parseInt(s, start, i, 10);
        }

        private void expect(char c) {
            if (i >= s.length() || s.charAt(i) != c) {
                throw error("no '" + c + "'");
            }
            i++;
        }

        private void skipSpaces() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private IllegalArgumentException error(String what) {
            return new IllegalArgumentException("not an XID at offset " + i + " of \"" + s + "\": " + what);
        }
    }
}
