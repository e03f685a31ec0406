package io.gbinlog.collector.capture;

/**
 * A place in one data node's binlog: a file such as {@code mariadb-bin.000003} and a byte offset in it
 * (MySQL's "binary log coordinates"). The ordering engine sees it as one long, {@link #encoded()}:
 * {@code file number << 32 | offset}, which increases along the binlog across rotations.
 */
public record BinlogCoordinates(String file, long offset) implements Comparable<BinlogCoordinates> {

    /** The first event of every binlog file (after the 4-byte magic) starts here. */
    public static final long FIRST_EVENT = 4;

    public BinlogCoordinates {
        fileNumber(file); // validates
        if (offset < 0 || offset > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("binlog offset " + offset + " in " + file + " is outside 0..2^32-1");
        }
    }

    /** The number a binlog file name ends with: {@code mariadb-bin.000003} → 3. */
    public static long fileNumber(String file) {
        int dot = file == null ? -1 : file.lastIndexOf('.');
        if (dot < 0 || dot == file.length() - 1) {
            throw new IllegalArgumentException("'" + file + "' is not a binlog file name (base name, a dot, a number)");
        }
        long n = 0;
        for (int i = dot + 1; i < file.length(); i++) {
            char c = file.charAt(i);
            if (c < '0' || c > '9' || n > 0x7FFF_FFFFL) {
                throw new IllegalArgumentException("'" + file + "' is not a binlog file name (base name, a dot, a number)");
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    public static long encode(long fileNumber, long offset) {
        return fileNumber << 32 | offset;
    }

    /** The position the ordering engine uses: file number in the high 32 bits, offset in the low 32. */
    public long encoded() {
        return encode(fileNumber(file), offset);
    }

    /**
     * The coordinates of an {@link #encoded()} position, naming the file after {@code sameBinlog} (any file of the
     * same binlog): the servers number files with at least six digits.
     */
    public static BinlogCoordinates decode(long position, String sameBinlog) {
        // Runs once per local transaction on the writer thread: no String.format here.
        String number = Long.toString(position >>> 32);
        StringBuilder file = new StringBuilder(sameBinlog.length() + 4);
        file.append(sameBinlog, 0, sameBinlog.lastIndexOf('.') + 1);
        for (int pad = number.length(); pad < 6; pad++) {
            file.append('0');
        }
        return new BinlogCoordinates(file.append(number).toString(), position & 0xFFFF_FFFFL);
    }

    @Override
    public int compareTo(BinlogCoordinates o) {
        return Long.compare(encoded(), o.encoded());
    }

    @Override
    public String toString() {
        return file + ":" + offset;
    }
}
