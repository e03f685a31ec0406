package io.gbinlog.collector.ordering;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The global transaction id of an XA transaction: the key that joins its branches across streams
 * and its {@code __gbinlog.commit_log} row. Binary (the column is VARBINARY), compared as unsigned
 * bytes so that the sort key {@code (cts, 0, gtrid)} is a total order.
 */
public final class Gtrid implements Comparable<Gtrid> {

    /** Width of {@code __gbinlog.commit_log.gtrid}. */
    public static final int MAX_LENGTH = 128;

    private final byte[] bytes;
    private final int hash;

    private Gtrid(byte[] bytes) {
        if (bytes.length > MAX_LENGTH) {
            throw new IllegalArgumentException("gtrid of " + bytes.length + " bytes is longer than the "
                    + MAX_LENGTH + " bytes of __gbinlog.commit_log.gtrid");
        }
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    public static Gtrid of(byte[] bytes) {
        return new Gtrid(bytes.clone());
    }

    public static Gtrid of(String text) {
        return new Gtrid(text.getBytes(StandardCharsets.UTF_8));
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public int compareTo(Gtrid other) {
        return Arrays.compareUnsigned(bytes, other.bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Gtrid g && hash == g.hash && Arrays.equals(bytes, g.bytes);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** The text when it is printable ASCII (the usual case), else {@code X'hex'} as MySQL writes it. */
    @Override
    public String toString() {
        for (byte b : bytes) {
            if (b < 0x20 || b > 0x7e) {
                StringBuilder hex = new StringBuilder(bytes.length * 2 + 3).append("X'");
                for (byte x : bytes) {
                    hex.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
                }
                return hex.append('\'').toString();
            }
        }
        return new String(bytes, StandardCharsets.US_ASCII);
    }
}
