package io.gbinlog.merger.writer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cutting the log back to a checkpoint's position, and readers held to what a writer published: what a restart of
 * the pipeline relies on (transactions after its last checkpoint are written again, possibly otherwise).
 */
class GlobalBinlogTruncateAndPublishTest {
    private static final long MAX_FILE = 8 * 1024;

    private static BinlogLogConfig config(Path dir) {
        return WriterFixtures.config(dir, MAX_FILE, FsyncPolicy.ON_FLUSH, 1024);
    }

    private static AppendedTransaction ddl(GlobalBinlog log, int i) throws IOException {
        return log.appendDdl(WriterFixtures.cts(i), null, "CREATE DATABASE IF NOT EXISTS d" + i + " /* "
                + "y".repeat(250) + " */");
    }

    @Test
    void truncatingToEveryTransactionBoundaryLeavesExactlyTheTransactionsBeforeIt(@TempDir Path tmp) throws IOException {
        List<AppendedTransaction> appended = new ArrayList<>();
        Path base = tmp.resolve("base");
        try (GlobalBinlog log = GlobalBinlog.open(config(base))) {
            while (log.files().size() < 3) {
                appended.add(ddl(log, appended.size()));
                log.flush();
            }
        }
        for (int keep = 0; keep < appended.size(); keep += 7) {
            Path dir = tmp.resolve("keep-" + keep);
            copy(base, dir);
            BinlogPosition end = keep == 0 ? new BinlogPosition(appended.get(0).start().file(),
                    appended.get(0).start().position())
                    : new BinlogPosition(appended.get(keep - 1).start().file(), appended.get(keep - 1).endPosition());
            GlobalBinlog.truncateTo(config(dir), end);
            GlobalBinlog.truncateTo(config(dir), end); // a repeated cut (after a crash in the first) changes nothing
            try (GlobalBinlog log = GlobalBinlog.open(config(dir))) {
                assertEquals(end, log.endPosition(), "kept " + keep);
                assertEquals(keep, log.lastGno());
                if (keep > 0) {
                    WriterFixtures.assertLookups(log, appended.subList(0, keep));
                }
                assertEquals(keep + 1, ddl(log, keep).gno(), "the next append continues the GTIDs");
            }
        }
        Path dir = tmp.resolve("beyond");
        copy(base, dir);
        AppendedTransaction last = appended.get(appended.size() - 1);
        IOException e = assertThrows(IOException.class, () -> GlobalBinlog.truncateTo(config(dir),
                new BinlogPosition(last.start().file(), last.endPosition() + 1)));
        assertTrue(e.getMessage().contains("holds only"), e.getMessage());
        e = assertThrows(IOException.class, () -> GlobalBinlog.truncateTo(config(dir),
                new BinlogPosition("binlog.000099", 4)));
        assertTrue(e.getMessage().contains("not listed"), e.getMessage());
    }

    @Test
    void readersSeeOnlyWhatWasPublishedAcrossRotations(@TempDir Path dir) throws IOException {
        try (GlobalBinlog log = GlobalBinlog.open(config(dir))) {
            log.publishOnlyOnRequest();
            BinlogPosition start = log.endPosition();
            AppendedTransaction first = ddl(log, 0);
            log.flush();
            assertEquals(0, log.lastGno(), "flushed but not published");
            log.publish(first);
            assertEquals(1, log.lastGno());
            List<AppendedTransaction> later = new ArrayList<>();
            while (log.files().size() < 3) {
                later.add(ddl(log, 1 + later.size()));
            }
            log.flush();
            assertEquals(first.endPosition(), log.endPosition().position());
            assertEquals(1, countGtids(log, start), "nothing after the published end, not even in sealed files");
            AppendedTransaction middle = later.get(later.size() / 2);
            log.publish(middle);
            assertEquals(middle.gno(), countGtids(log, start));
            assertEquals(middle.gno(), log.lastGno());
            log.publish(later.get(later.size() - 1));
            assertEquals(later.size() + 1, countGtids(log, start));
        }
    }

    private static long countGtids(GlobalBinlog log, BinlogPosition from) throws IOException {
        long gtids = 0;
        try (BinlogEventReader in = log.openReader(from.file(), from.position())) {
            while (in.next()) {
                if (in.eventType() == io.gbinlog.protocol.binlog.EventType.GTID) {
                    gtids++;
                }
            }
        }
        return gtids;
    }

    private static void copy(Path from, Path to) throws IOException {
        try (var files = java.nio.file.Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (java.nio.file.Files.isDirectory(p)) {
                    java.nio.file.Files.createDirectories(target);
                } else {
                    java.nio.file.Files.copy(p, target);
                }
            }
        }
    }
}
