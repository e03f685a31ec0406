package io.gbinlog.protocol.auth;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.shyiko.mysql.binlog.network.protocol.command.AuthenticateSecurityPasswordCommand;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NativePasswordTest {

    @Test
    void tokenIsTheOneARealClientComputes() {
        byte[] scramble = NativePassword.newScramble();
        byte[] clientToken = AuthenticateSecurityPasswordCommand.passwordCompatibleWithMySQL411("s3cret",
                new String(scramble, StandardCharsets.US_ASCII));

        assertArrayEquals(clientToken, NativePassword.token("s3cret", scramble));
        assertTrue(NativePassword.matches("s3cret", scramble, clientToken));
        assertFalse(NativePassword.matches("other", scramble, clientToken));
    }

    @Test
    void scrambleIsPrintableWithoutNul() {
        byte[] scramble = NativePassword.newScramble();
        assertEquals(NativePassword.SCRAMBLE_LENGTH, scramble.length);
        for (byte b : scramble) {
            assertTrue(b >= '!' && b <= '~', "byte " + b);
        }
    }

    @Test
    void emptyPasswordMatchesOnlyAnEmptyToken() {
        byte[] scramble = NativePassword.newScramble();
        Credentials credentials = new Credentials(Map.of("nopw", "", "u", "pw"));

        assertTrue(credentials.verify("nopw", scramble, new byte[0]));
        assertFalse(credentials.verify("u", scramble, new byte[0]));
        assertFalse(credentials.verify("ghost", scramble, new byte[0]));
        assertTrue(credentials.verify("u", scramble, NativePassword.token("pw", scramble)));
    }

    @Test
    void anonymousAccountsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Credentials(Map.of("", "x")));
        assertTrue(e.getMessage().contains("anonymous"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Credentials(Map.of()));
    }
}
