package io.gbinlog.merger.writer;

import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.GtidEventData;
import com.github.shyiko.mysql.binlog.event.QueryEventData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A failed write (full disk, failing device) at every single file operation of a workload that creates the log,
 * rotates several times and closes it: the failed log refuses to go on, and reopening it yields exactly the
 * transactions whose append returned, plus at most the one whose append failed, each whole, GTIDs gapless.
 */
class GlobalBinlogFailedWriteTest {
    private static final int TRANSACTIONS = 40;

    private static BinlogLogConfig config(Path dir, FsyncPolicy policy, int indexInterval) {
        return WriterFixtures.config(dir, BinlogLogConfig.MIN_FILE_SIZE, policy, indexInterval);
    }

    /** Distinct, of varied length, so that files fill after a varying number of transactions. */
    private static String ddl(long gno) {
        return "CREATE DATABASE IF NOT EXISTS d" + gno + " /* " + "x".repeat((int) (gno * 137 % 500)) + " */";
    }

    private record Outcome(int acknowledged, GlobalBinlog log, IOException failure) {
    }

    private static Outcome workload(Path dir, FsyncPolicy policy, int indexInterval) {
        GlobalBinlog log = null;
        int acknowledged = 0;
        try {
            log = GlobalBinlog.open(config(dir, policy, indexInterval));
            for (int gno = 1; gno <= TRANSACTIONS; gno++) {
                assertEquals(gno, log.appendDdl(WriterFixtures.cts(gno), null, ddl(gno)).gno());
                if (policy == FsyncPolicy.ON_FLUSH && gno % 3 == 0) {
                    log.flush();
                }
                acknowledged = gno;
            }
            log.close();
            return new Outcome(acknowledged, null, null);
        } catch (IOException e) {
            return new Outcome(acknowledged, log, e);
        }
    }

    @Test
    void everyTransactionFsyncedAndIndexed(@TempDir Path tmp) throws IOException {
        failEachOperationInTurn(tmp, FsyncPolicy.EVERY_TRANSACTION, 0);
    }

    @Test
    void groupCommitWithSparseIndex(@TempDir Path tmp) throws IOException {
        failEachOperationInTurn(tmp, FsyncPolicy.ON_FLUSH, 1024);
    }

    private static void failEachOperationInTurn(Path tmp, FsyncPolicy policy, int indexInterval) throws IOException {
        FaultyFileSystem counting = new FaultyFileSystem(0);
        Outcome clean = workload(counting.wrap(tmp.resolve("clean")), policy, indexInterval);
        assertEquals(null, clean.failure());
        assertTrue(WriterFixtures.binlogFiles(tmp.resolve("clean")).size() >= 4, "the workload rotates");
        long operations = counting.operations();
        int absorbed = 0;
        for (long failAt = 1; failAt <= operations; failAt++) {
            Path dir = tmp.resolve("fail-" + failAt);
            FaultyFileSystem fs = new FaultyFileSystem(failAt);
            Outcome run = workload(fs.wrap(dir), policy, indexInterval);
            String what = "failed " + fs.injected() + " after " + run.acknowledged() + " acknowledged appends";
            assertNotNull(fs.injected(), "operation " + failAt + " of " + operations + " was reached");
            if (run.failure() == null) {
                // The JDK absorbed it (Files.createDirectories tries again): the run must have gone on unharmed.
                assertEquals(TRANSACTIONS, run.acknowledged(), what);
                absorbed++;
            } else {
                assertSame(fs.injected(), run.failure(), what);
            }
            if (run.log() != null) {
                GlobalBinlog failed = run.log();
                IllegalStateException refused = assertThrows(IllegalStateException.class,
                        () -> failed.appendDdl(WriterFixtures.cts(TRANSACTIONS + 1), null, "CREATE DATABASE late"), what);
                assertTrue(refused.getMessage().contains("open it again"), refused.getMessage());
                assertSame(fs.injected(), refused.getCause());
                assertThrows(IllegalStateException.class, failed::flush, what);
                failed.close();
            }
            // Reopen without faults (and, as before, without real fsyncs: nothing crashed).
            try (GlobalBinlog log = GlobalBinlog.open(config(new FaultyFileSystem(0).wrap(dir), policy, indexInterval))) {
                long last = log.lastGno();
                assertTrue(last == run.acknowledged() || last == run.acknowledged() + 1 && last <= TRANSACTIONS,
                        what + ": the reopened log ends at GTID " + last);
                assertWholeAndGapless(dir, last, what);
                for (long gno = 1; gno <= last; gno++) {
                    assertTrue(log.findGno(gno).isPresent(), what + ": gno " + gno);
                }
                assertEquals(last + 1, log.appendDdl(WriterFixtures.cts(TRANSACTIONS + 1), null, ddl(last + 1)).gno(),
                        what);
            }
        }
        assertTrue(absorbed <= 1, absorbed + " of " + operations + " failures went unnoticed");
    }

    /** Read with mysql-binlog-connector-java: GTIDs 1..last in order, each followed by its own DDL. */
    private static void assertWholeAndGapless(Path dir, long last, String what) throws IOException {
        List<String> seen = new ArrayList<>();
        List<String> expected = new ArrayList<>();
        for (long gno = 1; gno <= last; gno++) {
            expected.add(gno + " /* gbinlog cts=" + WriterFixtures.cts((int) gno) + " */ " + ddl(gno));
        }
        long gno = -1;
        for (Path file : WriterFixtures.binlogFiles(dir)) {
            for (Event e : WriterFixtures.events(file)) {
                if (e.getData() instanceof GtidEventData g) {
                    assertEquals(-1, gno, what + ": GTID " + g.getMySqlGtid() + " follows an unfinished transaction");
                    gno = g.getMySqlGtid().getTransactionId();
                } else if (e.getData() instanceof QueryEventData q) {
                    seen.add(gno + " " + q.getSql());
                    gno = -1;
                }
            }
        }
        assertEquals(-1, gno, what + ": the last transaction is unfinished");
        assertEquals(expected, seen, what);
    }
}
