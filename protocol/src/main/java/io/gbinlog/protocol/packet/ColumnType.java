package io.gbinlog.protocol.packet;

/**
 * The column types a result set of this server can carry, with the column-definition fields each one
 * implies (wire type code, display length, collation, flags, decimals), as MySQL reports them.
 */
public enum ColumnType {
    BIGINT(0x08, 20, CharacterSets.BINARY, ColumnType.NUMERIC_FLAGS, 0),
    BIGINT_UNSIGNED(0x08, 20, CharacterSets.BINARY, ColumnType.NUMERIC_FLAGS | ColumnType.UNSIGNED_FLAG, 0),
    /** Decimal numbers of user variables; 31 decimals means "not fixed". */
    DECIMAL(0xF6, 65, CharacterSets.BINARY, ColumnType.NUMERIC_FLAGS, 31),
    /** A utf8mb4 VARCHAR(255); values longer than that are still sent whole. */
    VARCHAR(0xFD, 255 * 4, CharacterSets.UTF8MB4_GENERAL_CI, 0, 0);

    private static final int BINARY_FLAG = 0x0080;
    private static final int NUM_FLAG = 0x8000;
    private static final int NUMERIC_FLAGS = BINARY_FLAG | NUM_FLAG;
    private static final int UNSIGNED_FLAG = 0x0020;

    private final int code;
    private final int length;
    private final int characterSet;
    private final int flags;
    private final int decimals;

    ColumnType(int code, int length, int characterSet, int flags, int decimals) {
        this.code = code;
        this.length = length;
        this.characterSet = characterSet;
        this.flags = flags;
        this.decimals = decimals;
    }

    public int code() {
        return code;
    }

    public int length() {
        return length;
    }

    public int characterSet() {
        return characterSet;
    }

    public int flags() {
        return flags;
    }

    public int decimals() {
        return decimals;
    }
}
