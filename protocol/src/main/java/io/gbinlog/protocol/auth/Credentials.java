package io.gbinlog.protocol.auth;

import java.util.Map;

/** The configured accounts (user name to password); there is no anonymous account. */
public final class Credentials {

    private final Map<String, String> passwords;

    public Credentials(Map<String, String> passwords) {
        if (passwords.isEmpty()) {
            throw new IllegalArgumentException("users: at least one user must be configured");
        }
        passwords.forEach((user, password) -> {
            if (user == null || user.isEmpty()) {
                throw new IllegalArgumentException("users: an empty user name is not allowed (no anonymous access)");
            }
            if (password == null) {
                throw new IllegalArgumentException("users: user '" + user + "' has no password (use \"\" for none)");
            }
        });
        this.passwords = Map.copyOf(passwords);
    }

    /** Whether {@code user} exists and {@code token} is its native-password answer to {@code scramble}. */
    public boolean verify(String user, byte[] scramble, byte[] token) {
        String password = passwords.get(user);
        return password != null && NativePassword.matches(password, scramble, token);
    }
}
