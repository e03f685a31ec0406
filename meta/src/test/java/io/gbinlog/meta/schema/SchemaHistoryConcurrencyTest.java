package io.gbinlog.meta.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One writer applying DDL while readers ask for the table at random cts: every answer is the version of its cts. */
class SchemaHistoryConcurrencyTest {
    private static final int DDLS = 150;

    @TempDir
    Path dir;

    @Test
    void readersSeeTheVersionOfTheirCtsWhileTheWriterApplies() throws Exception {
        long seed = Long.getLong("gbinlog.test.seed", System.nanoTime());
        System.out.println("SchemaHistoryConcurrencyTest seed " + seed + " (-Dgbinlog.test.seed=" + seed
                + " reproduces)");
        ExecutorService readers = Executors.newFixedThreadPool(3);
        try (SchemaHistory history = SchemaHistory.open(dir)) {
            history.bootstrap(100, new SchemaSnapshot(SchemaHistoryTest.COLLATIONS, "latin1_swedish_ci",
                    Map.of("d", "latin1_swedish_ci"), List.of(new SchemaSnapshot.Table("d", "t",
                    "CREATE TABLE t (c0 INT)"))));
            AtomicBoolean done = new AtomicBoolean();
            List<Future<Integer>> checks = new ArrayList<>();
            for (int r = 0; r < 3; r++) {
                Random random = new Random(seed + r);
                checks.add(readers.submit(() -> {
                    int checked = 0;
                    while (!done.get()) {
                        long newest = history.lastCts();
                        long cts = 50 + random.nextInt((int) (newest - 50 + 20));
                        TableSchema t = history.table("d", "t", cts);
                        if (cts < 100) {
                            assertNull(t);
                        } else {
                            assertTrue(t.version() <= cts, t.version() + " at " + cts);
                            // version 100 has one column, the DDL at 1000 + i made it i + 2
                            int columns = t.version() == 100 ? 1 : (int) (t.version() - 1000) + 2;
                            assertEquals(columns, t.columns().size(), "version " + t.version());
                            if (cts <= newest && cts >= 1000) {
                                assertEquals(Math.min(cts, 1000 + DDLS - 1), t.version(), "at " + cts);
                            }
                        }
                        checked++;
                    }
                    return checked;
                }));
            }
            for (int i = 0; i < DDLS; i++) {
                history.apply(1000 + i, "d", "ALTER TABLE t ADD COLUMN c" + (i + 1) + " INT");
            }
            done.set(true);
            for (Future<Integer> check : checks) {
                assertTrue(check.get(30, TimeUnit.SECONDS) > 0);
            }
        } finally {
            readers.shutdownNow();
        }
    }
}
