package io.gbinlog.protocol.packet;

/** Collation ids used on the wire. */
public final class CharacterSets {

    /** utf8mb4_general_ci: understood by every MySQL and MariaDB client, unlike MySQL 8's 255. */
    public static final int UTF8MB4_GENERAL_CI = 45;
    /** The "binary" collation numeric columns carry. */
    public static final int BINARY = 63;

    private CharacterSets() {
    }
}
