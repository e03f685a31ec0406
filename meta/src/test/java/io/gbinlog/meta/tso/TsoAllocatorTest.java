package io.gbinlog.meta.tso;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TsoAllocatorTest {
    @TempDir
    Path dir;

    @Test
    void valuesCarryTheClockAndACounter() {
        AtomicLong clock = new AtomicLong(1_700_000_000_000L);
        try (TsoAllocator tso = TsoAllocator.open(dir.resolve("lease"), clock::get)) {
            clock.set(1_700_000_000_500L);
            long a = tso.next();
            long b = tso.next();
            assertEquals(1_700_000_000_500L, TsoAllocator.millisOf(a));
            assertEquals(a + 1, b);
            clock.set(1_700_000_000_501L);
            assertEquals(1_700_000_000_501L << TsoAllocator.COUNTER_BITS, tso.next());
        }
    }

    @Test
    void staysIncreasingWhenTheClockGoesBack() {
        AtomicLong clock = new AtomicLong(1_700_000_000_000L);
        try (TsoAllocator tso = TsoAllocator.open(dir.resolve("lease"), clock::get)) {
            long before = tso.next();
            clock.addAndGet(-60_000);
            assertTrue(tso.next() > before);
        }
    }

    @Test
    void counterOverflowMovesToTheNextMillisecond() {
        AtomicLong clock = new AtomicLong(1_700_000_000_000L);
        try (TsoAllocator tso = TsoAllocator.open(dir.resolve("lease"), clock::get)) {
            long last = 0;
            for (int i = 0; i < (1 << TsoAllocator.COUNTER_BITS) + 10; i++) {
                long v = tso.next();
                assertTrue(v > last);
                last = v;
            }
            assertEquals(1_700_000_000_001L, TsoAllocator.millisOf(last));
        }
    }

    @Test
    void restartNeverGoesBackEvenWithAClockBehind() {
        Path lease = dir.resolve("lease");
        AtomicLong clock = new AtomicLong(1_700_000_000_000L);
        long last;
        try (TsoAllocator tso = TsoAllocator.open(lease, clock::get)) {
            for (int i = 0; i < 5_000; i++) {
                clock.addAndGet(1);
                tso.next();
            }
            last = tso.next();
        }
        clock.set(1_600_000_000_000L); // the machine comes back with a clock far behind
        try (TsoAllocator tso = TsoAllocator.open(lease, clock::get)) {
            assertTrue(tso.next() > last);
        }
    }

    @Test
    void aSecondAllocatorOnTheSameLeaseIsRefused() {
        Path lease = dir.resolve("lease");
        try (TsoAllocator first = TsoAllocator.open(lease)) {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> TsoAllocator.open(lease));
            assertTrue(e.getMessage().contains("in use by another TSO"), e.getMessage());
            first.next();
        }
        try (TsoAllocator again = TsoAllocator.open(lease)) {
            assertTrue(again.next() > 0, "the lock is released on close");
        }
    }

    @Test
    void aCorruptLeaseIsReportedWithItsPath() throws IOException {
        Path lease = Files.writeString(dir.resolve("lease"), "garbage");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TsoAllocator.open(lease));
        assertTrue(e.getMessage().contains(lease.toString()), e.getMessage());
    }
}
