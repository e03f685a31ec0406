package io.gbinlog.merger.writer;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Crash recovery of the global binlog: torn tails, corrupt events, torn indexes, interrupted rotations. */
class GlobalBinlogRecoveryTest {
    private static final long MAX_FILE = 8 * 1024;

    @TempDir
    static Path serverDir;

    @BeforeAll
    static void capture() throws Exception {
        GlobalBinlogTest.serverDir = serverDir;
        GlobalBinlogTest.captureRowEventsFromMariaDb();
    }

    @AfterAll
    static void stop() throws InterruptedException {
        GlobalBinlogTest.stopMariaDb();
    }

    private static BinlogLogConfig config(Path dir) {
        return GlobalBinlogTest.config(dir, MAX_FILE, FsyncPolicy.NEVER, 1024);
    }

    /** The smallest captured transaction: the one appended last, so that cutting it byte by byte stays quick. */
    private static List<MariaDbTransactions.RawEvent> smallest() {
        return GlobalBinlogTest.source.stream()
                .min(Comparator.comparingInt(t -> t.stream().mapToInt(e -> e.body().length).sum())).orElseThrow();
    }

    /** Writes everything, then a small transaction, so that cutting the last one byte by byte stays quick. */
    private static List<AppendedTransaction> write(Path dir) throws IOException {
        try (GlobalBinlog log = GlobalBinlog.open(config(dir))) {
            List<AppendedTransaction> appended = new ArrayList<>(GlobalBinlogTest.writeAll(log));
            appended.add(GlobalBinlogTest.appendSource(log, GlobalBinlogTest.cts(appended.size()), smallest()));
            assertEquals(log.endPosition().file(), appended.get(appended.size() - 1).start().file());
            return appended;
        }
    }

    private static void copy(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : files.sorted(Comparator.naturalOrder()).toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        }
    }

    @Test
    void cutAtEveryByteOfTheLastTransactionKeepsExactlyTheCompleteOnes(@TempDir Path tmp) throws IOException {
        Path base = tmp.resolve("base");
        List<AppendedTransaction> appended = write(base);
        AppendedTransaction last = appended.get(appended.size() - 1);
        String file = last.start().file();
        Path dir = tmp.resolve("cut");
        copy(base, dir);
        Path index = Path.of("index", file + ".idx");
        List<String> baseRows = GlobalBinlogTest.rowsOf(List.of(base.resolve(file)));
        for (long cut = last.start().position(); cut <= last.endPosition(); cut++) {
            // Only the newest file, its index and binlog.index change: restore them from the untouched copy.
            for (Path p : List.of(Path.of(file), index, Path.of("binlog.index"))) {
                Files.copy(base.resolve(p), dir.resolve(p), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            truncate(dir.resolve(file), cut);
            try (GlobalBinlog log = GlobalBinlog.open(config(dir))) {
                RecoveryReport report = log.recoveryReport();
                if (cut == last.endPosition()) {
                    assertTrue(report.clean(), report.toString());
                    assertEquals(last.gno(), log.lastGno());
                } else {
                    assertEquals(last.gno() - 1, log.lastGno(), "cut at " + cut + " of " + last + ": " + report);
                    assertEquals(last.start(), log.endPosition(), "cut at " + cut);
                    assertEquals(cut == last.start().position() ? null : file, report.cutFile(), report.toString());
                    assertEquals(cut - last.start().position(), report.bytesCut());
                    assertEquals(last.start().position(), Files.size(dir.resolve(file)));
                    AppendedTransaction again = GlobalBinlogTest.appendSource(log, last.cts(), smallest());
                    assertEquals(last.gno(), again.gno(), "GTIDs stay gapless");
                    assertEquals(last.start(), again.start());
                    assertEquals(last.endPosition(), again.endPosition());
                }
                assertEquals(last.start(), log.findGno(last.gno()).orElseThrow());
            }
            if ((cut - last.start().position()) % 97 == 0) {
                assertEquals(baseRows, GlobalBinlogTest.rowsOf(List.of(dir.resolve(file))));
            }
        }
    }

    @Test
    void aCorruptEventIsCutWithItsTransactionAndATornIndexIsRebuilt(@TempDir Path dir) throws IOException {
        List<AppendedTransaction> appended = write(dir);
        AppendedTransaction last = appended.get(appended.size() - 1);
        Path file = dir.resolve(last.start().file());
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long at = (last.start().position() + last.endPosition()) / 2;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x5a);
        }
        Path index = dir.resolve("index").resolve(last.start().file() + ".idx");
        truncate(index, Files.size(index) - 5);
        try (GlobalBinlog log = GlobalBinlog.open(config(dir))) {
            RecoveryReport report = log.recoveryReport();
            assertEquals(last.start().file(), report.cutFile());
            assertEquals(last.start().position(), report.cutFrom());
            assertTrue(report.reason().contains("checksum"), report.reason());
            assertEquals(0, Files.size(index) % SegmentIndex.ENTRY_SIZE, "torn index entry removed");
            assertEquals(last.gno() - 1, log.lastGno());
            for (AppendedTransaction t : appended.subList(0, appended.size() - 1)) {
                assertEquals(t.start(), log.findGno(t.gno()).orElseThrow());
            }
        }
    }

    @Test
    void anInterruptedRotationIsFinishedAgain(@TempDir Path dir) throws IOException {
        AppendedTransaction first;
        try (GlobalBinlog log = GlobalBinlog.open(config(dir))) {
            GlobalBinlogTest.writeAll(log);
            String file = log.endPosition().file();
            int i = 0;
            // Append until an append rotates: it is then the first transaction of the newest file.
            do {
                first = GlobalBinlogTest.appendSource(log, GlobalBinlogTest.cts(1000 + i), GlobalBinlogTest.source.get(i++ % 5));
            } while (first.start().file().equals(file));
        }
        String newest = first.start().file();
        // Crash after creating the new file, before listing it: binlog.index lacks it and it holds only its header.
        truncate(dir.resolve(newest), first.start().position());
        List<String> listed = new ArrayList<>(Files.readAllLines(dir.resolve("binlog.index")));
        assertEquals("./" + newest, listed.remove(listed.size() - 1));
        Files.write(dir.resolve("binlog.index"), listed);
        String previous = listed.get(listed.size() - 1).substring(2);
        try (GlobalBinlog log = GlobalBinlog.open(config(dir))) {
            RecoveryReport report = log.recoveryReport();
            assertEquals(List.of(newest), report.removedFiles());
            assertEquals(previous, report.cutFile(), "the old file's ROTATE is cut, then written again");
            assertEquals(first.gno() - 1, log.lastGno());
            assertEquals(previous, log.endPosition().file(), "rotation waits for the next transaction");
            AppendedTransaction next = log.appendDdl(GlobalBinlogTest.cts(5000), null, "CREATE DATABASE IF NOT EXISTS x");
            assertEquals(first.gno(), next.gno());
            assertEquals(first.start(), next.start());
        }
        assertEquals("./" + newest, Files.readAllLines(dir.resolve("binlog.index")).get(listed.size()));
    }

    /** DDLs of some 300 bytes until {@code files} files exist (the last file holding at least {@code inLast}). */
    private static List<AppendedTransaction> ddls(GlobalBinlog log, int files, int inLast) throws IOException {
        List<AppendedTransaction> appended = new ArrayList<>();
        int inNewest = 0;
        while (log.files().size() < files || inNewest < inLast) {
            int i = appended.size();
            AppendedTransaction t = log.appendDdl(GlobalBinlogTest.cts(i), null,
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
                assertEquals(1, log.appendDdl(GlobalBinlogTest.cts(1), null, "CREATE DATABASE a").gno());
            }
            assertEquals(List.of("./binlog.000001"), Files.readAllLines(dir.resolve("binlog.index")));
        }
        // A first file holding a transaction is not the leftover of a crash: someone lost binlog.index.
        Path lost = tmp.resolve("lost");
        try (GlobalBinlog log = GlobalBinlog.open(config(lost))) {
            log.appendDdl(GlobalBinlogTest.cts(1), null, "CREATE DATABASE a");
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
            AppendedTransaction next = log.appendDdl(GlobalBinlogTest.cts(10_000), null, "CREATE DATABASE z");
            assertEquals(lastGnoBefore + 1, next.gno());
        }
    }

    @Test
    void aZeroedIndexEntryInTheMiddleIsFoundAndTheIndexRebuilt(@TempDir Path dir) throws IOException {
        BinlogLogConfig everyTransactionIndexed = GlobalBinlogTest.config(dir, MAX_FILE, FsyncPolicy.NEVER, 0);
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
            GlobalBinlogTest.assertLookups(log, appended);
        }
    }

    @Test
    void badSettingsAndOutOfOrderInputAreNamed(@TempDir Path dir) throws IOException {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GlobalBinlogTest.config(dir, 100, FsyncPolicy.NEVER, 0));
        assertTrue(e.getMessage().contains("max file size"), e.getMessage());
        try (GlobalBinlog log = GlobalBinlog.open(config(dir))) {
            log.appendDdl(GlobalBinlogTest.cts(10), null, "CREATE DATABASE a");
            e = assertThrows(IllegalArgumentException.class,
                    () -> log.appendDdl(GlobalBinlogTest.cts(1), null, "CREATE DATABASE b"));
            assertTrue(e.getMessage().contains("below the last written cts"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> log.appendRows(GlobalBinlogTest.cts(10), 0, tx -> { }));
            assertTrue(e.getMessage().contains("dependency keys"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> log.openReader("binlog.000009", 4));
            assertTrue(e.getMessage().contains("binlog.000009"), e.getMessage());
            assertEquals(1, log.lastGno(), "rejected input wrote nothing");
        }
    }
}
