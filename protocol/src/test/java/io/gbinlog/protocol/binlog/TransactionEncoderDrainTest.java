package io.gbinlog.protocol.binlog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A transaction encoded through a drain is byte for byte the one encoded whole, GTID length included. */
class TransactionEncoderDrainTest {
    private static final UUID CLUSTER = UUID.fromString("3e11fa47-71ca-11e1-9e33-c80aa9429562");
    private static final long CTS = 1_700_000_123_456L << 22 | 3;
    private static final long START = 4;

    @Test
    void drainedTransactionIsTheSameBytes() {
        EventBuffer whole = new EventBuffer(64);
        whole.reset(START);
        encode(new TransactionEncoder(whole, 1, CLUSTER));
        byte[] expected = Arrays.copyOf(whole.array(), whole.length());

        byte[] file = new byte[expected.length + (int) START];
        int[] drains = {0};
        EventBuffer part = new EventBuffer(64);
        part.reset(START);
        TransactionEncoder encoder = new TransactionEncoder(part, 1, CLUSTER, out -> {
            drains[0]++;
            System.arraycopy(out.array(), 0, file, (int) out.basePosition(), out.length());
        }, 2000);
        encode(encoder);
        assertFalse(encoder.drained(), "committed: nothing pending");
        System.arraycopy(part.array(), 0, file, (int) part.basePosition(), part.length());
        assertTrue(drains[0] > 10, "drained " + drains[0] + " times");
        assertArrayEquals(expected, Arrays.copyOfRange(file, (int) START, file.length));
    }

    private static void encode(TransactionEncoder encoder) {
        encoder.beginRows(CTS, "dn0:binlog.000001:4", 1, 0, 1);
        for (int i = 0; i < 100; i++) {
            byte[] text = ("/* sql_id=s" + i + " */ INSERT " + "x".repeat(300 + i)).getBytes(StandardCharsets.UTF_8);
            encoder.rowsQuery(text, 0, text.length);
        }
        encoder.commit();
    }
}
