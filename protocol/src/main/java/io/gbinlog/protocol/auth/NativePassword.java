package io.gbinlog.protocol.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * The {@code mysql_native_password} scheme: the client proves it knows the password by sending
 * SHA1(password) XOR SHA1(scramble + SHA1(SHA1(password))); an empty password sends an empty token.
 */
public final class NativePassword {

    public static final String PLUGIN_NAME = "mysql_native_password";
    public static final int SCRAMBLE_LENGTH = 20;

    private static final SecureRandom RANDOM = new SecureRandom();

    private NativePassword() {
    }

    /**
     * A fresh scramble of printable ASCII: some clients (mysql-binlog-connector-java) read it as a
     * NUL-terminated string, so it must never contain a 0 byte.
     */
    public static byte[] newScramble() {
        byte[] scramble = new byte[SCRAMBLE_LENGTH];
        for (int i = 0; i < scramble.length; i++) {
            scramble[i] = (byte) ('!' + RANDOM.nextInt('~' - '!' + 1));
        }
        return scramble;
    }

    /** The token a client holding {@code password} sends for {@code scramble}. */
    public static byte[] token(String password, byte[] scramble) {
        if (password.isEmpty()) {
            return new byte[0];
        }
        MessageDigest sha1 = sha1();
        byte[] stage1 = sha1.digest(password.getBytes(StandardCharsets.UTF_8));
        byte[] stage2 = sha1.digest(stage1);
        sha1.update(scramble);
        byte[] mask = sha1.digest(stage2);
        for (int i = 0; i < stage1.length; i++) {
            stage1[i] ^= mask[i];
        }
        return stage1;
    }

    /** Whether {@code token} proves knowledge of {@code password} for {@code scramble} (constant time). */
    public static boolean matches(String password, byte[] scramble, byte[] token) {
        return MessageDigest.isEqual(token(password, scramble), token);
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime provides SHA-1", e);
        }
    }
}
