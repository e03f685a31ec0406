package io.gbinlog.merger.writer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Crash recovery of the global binlog on DDL transactions: first-file creation, damaged headers, zeroed index entries,
 * bad settings. The same on row transactions captured from a real data node (torn tails cut at every byte, corrupt
 * events, interrupted rotations) is in the integration module ({@code CapturedTransactionsRecoveryTest}).
 */
class GlobalBinlogRecoveryTest {
    private static final long MAX_FILE = 8 * 1024;

    private static BinlogLogConfig config(Path dir) {
        return WriterFixtures.config(dir, MAX_FILE, FsyncPolicy.NEVER, 1024);
    }

    private static List<AppendedTransaction> ddls(GlobalBinlog log, int files, int inLast) throws IOException {
        List<AppendedTransaction> appended = new ArrayList<>();
        int inNewest = 0;
        while (log.files().size() < files || inNewest < inLast) {
            int i = appended.size();
            AppendedTransaction t = log.appendDdl(WriterFixtures.cts(i), null,
                    "CREATE DATABASE IF NOT EXISTS d" + i + " /* " + "y".repeat(250) + " */");
            inNewest = appended.isEmpty() || t.start().file().equals(appended.get(i - 1).start().file()) ? inNewest + 1 : 1;
            appended.add(t);
        }
        return appended;
    }

    @Test
    void aCrashWhileTheFirstFileIsCreatedLeavesALogThatOpens(@TempDir Path tmp) throws IOException {
        Path base = tmp.resolve("base");
        GlobalBinlog.open(config(base)).close();
        byte[] header = Files.readAllBytes(base.resolve("binlog.000001"));
        for (int length : new int[] {0, 3, 4, 30, header.length - 1, header.length}) {
            // binlog.000001 (and its index) written up to here, binlog.index not yet.
            Path dir = tmp.resolve("cut-" + length);
            Files.createDirectories(dir.resolve("index"));
            Files.write(dir.resolve("binlog.000001"), java.util.Arrays.copyOf(header, length));
            Files.write(dir.resolve("index").resolve("binlog.000001.idx"), new byte[0]);
            try (GlobalBinlog log = GlobalBinlog.open(config(dir))) {
                assertEquals(List.of("binlog.000001"), log.recoveryReport().removedFiles(), "cut at " + length);
                assertEquals(0, log.lastGno());
                assertEquals(1, log.appendDdl(WriterFixtures.cts(1), null, "CREATE DATABASE a").gno());
            }
            assertEquals(List.of("./binlog.000001"), Files.readAllLines(dir.resolve("binlog.index")));
        }
        // A first file holding a transaction is not the leftover of a crash: someone lost binlog.index.
        Path lost = tmp.resolve("lost");
        try (GlobalBinlog log = GlobalBinlog.open(config(lost))) {
            log.appendDdl(WriterFixtures.cts(1), null, "CREATE DATABASE a");
        }
        Files.delete(lost.resolve("binlog.index"));
        IOException e = assertThrows(IOException.class, () -> GlobalBinlog.open(config(lost)));
        assertTrue(e.getMessage().contains("binlog.index is missing but binlog files exist: [binlog.000001]"),
                e.getMessage());
        assertTrue(Files.size(lost.resolve("binlog.000001")) > header.length, "nothing removed");
    }

    @Test
    void aDamagedHeaderOfTheNewestListedFileIsRefusedUnlessItHoldsOnlyAHeader(@TempDir Path dir) throws IOException {
        List<AppendedTransaction> appended;
        try (GlobalBinlog log = GlobalBinlog.open(config(dir))) {
            appended = ddls(log, 2, 3);
        }
        AppendedTransaction last = appended.get(appended.size() - 1);
        String newest = last.start().file();
        Path file = dir.resolve(newest);
        byte[] intact = Files.readAllBytes(file);
        byte[] damaged = intact.clone();
        damaged[30] ^= 0x40; // inside the format description event: its checksum no longer matches
        Files.write(file, damaged);
        IOException e = assertThrows(IOException.class, () -> GlobalBinlog.open(config(dir)));
        assertTrue(e.getMessage().startsWith(newest + " is the newest file in binlog.index and holds " + intact.length
                + " bytes, but does not start with a global binlog header"), e.getMessage());
        assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
        assertTrue(java.util.Arrays.equals(damaged, Files.readAllBytes(file)), "the file is left as it was");

        // Only as long as a header: the crash of the newest file's re-creation, which may be torn anywhere.
        long headerEnd = appended.stream().filter(t -> t.start().file().equals(newest)).findFirst().orElseThrow()
                .start().position();
        Files.write(file, java.util.Arrays.copyOf(damaged, (int) headerEnd));
        long lastGnoBefore = appended.stream().filter(t -> !t.start().file().equals(newest))
                .mapToLong(AppendedTransaction::gno).max().orElseThrow();
        try (GlobalBinlog log = GlobalBinlog.open(config(dir))) {
            assertEquals("torn file header, written anew", log.recoveryReport().reason());
            assertEquals(newest, log.recoveryReport().cutFile());
            assertEquals(lastGnoBefore, log.lastGno());
            assertEquals(new BinlogPosition(newest, headerEnd), log.endPosition());
            AppendedTransaction next = log.appendDdl(WriterFixtures.cts(10_000), null, "CREATE DATABASE z");
            assertEquals(lastGnoBefore + 1, next.gno());
        }
    }

    @Test
    void aZeroedIndexEntryInTheMiddleIsFoundAndTheIndexRebuilt(@TempDir Path dir) throws IOException {
        BinlogLogConfig everyTransactionIndexed = WriterFixtures.config(dir, MAX_FILE, FsyncPolicy.NEVER, 0);
        List<AppendedTransaction> appended;
        try (GlobalBinlog log = GlobalBinlog.open(everyTransactionIndexed)) {
            appended = ddls(log, 2, 10);
        }
        List<Path> indexes = new ArrayList<>();
        List<byte[]> intact = new ArrayList<>();
        for (BinlogPosition f : List.of(new BinlogPosition("binlog.000001", 4), appended.get(appended.size() - 1).start())) {
            // The sealed file and the active one: a zeroed entry, as a crash can leave an index written without fsync.
            Path index = dir.resolve("index").resolve(f.file() + ".idx");
            indexes.add(index);
            intact.add(Files.readAllBytes(index));
            long entries = Files.size(index) / SegmentIndex.ENTRY_SIZE;
            assertTrue(entries >= 8, f.file() + " has " + entries + " index entries");
            try (FileChannel ch = FileChannel.open(index, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.allocate(SegmentIndex.ENTRY_SIZE), entries / 2 * SegmentIndex.ENTRY_SIZE);
            }
        }
        try (GlobalBinlog log = GlobalBinlog.open(everyTransactionIndexed)) {
            RecoveryReport report = log.recoveryReport();
            assertEquals(null, report.cutFile());
            assertTrue(report.indexEntriesDropped() > 0 && report.indexEntriesAdded() == report.indexEntriesDropped(),
                    report.toString());
            for (int i = 0; i < indexes.size(); i++) {
                assertTrue(java.util.Arrays.equals(intact.get(i), Files.readAllBytes(indexes.get(i))),
                        indexes.get(i) + " rebuilt as it was");
            }
            WriterFixtures.assertLookups(log, appended);
        }
    }

    @Test
    void badSettingsAndOutOfOrderInputAreNamed(@TempDir Path dir) throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> WriterFixtures.config(dir, 100, FsyncPolicy.NEVER, 0));
        assertTrue(e.getMessage().contains("max file size"), e.getMessage());
        try (GlobalBinlog log = GlobalBinlog.open(config(dir))) {
            log.appendDdl(WriterFixtures.cts(10), null, "CREATE DATABASE a");
            e = assertThrows(IllegalArgumentException.class,
                    () -> log.appendDdl(WriterFixtures.cts(1), null, "CREATE DATABASE b"));
            assertTrue(e.getMessage().contains("below the last written cts"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> log.appendRows(WriterFixtures.cts(10), 0, tx -> { }));
            assertTrue(e.getMessage().contains("dependency keys"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> log.openReader("binlog.000009", 4));
            assertTrue(e.getMessage().contains("binlog.000009"), e.getMessage());
            assertEquals(1, log.lastGno(), "rejected input wrote nothing");
        }
    }
}
