package io.gbinlog.integration.writer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.collector.capture.EventGroup;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.merger.writer.AppendedTransaction;
import io.gbinlog.merger.writer.BinlogLogConfig;
import io.gbinlog.merger.writer.FsyncPolicy;
import io.gbinlog.merger.writer.GlobalBinlog;
import io.gbinlog.merger.writer.RecoveryReport;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash recovery of the global binlog on row transactions captured from a real data node: a torn tail cut at every
 * byte, a corrupt event with a torn index, an interrupted rotation. (The DDL-only recovery cases are the merger
 * module's GlobalBinlogRecoveryTest.)
 */
class CapturedTransactionsRecoveryTest {
    private static final long MAX_FILE = 8 * 1024;
    /** The per-file index has fixed-width entries of this size (cts, relative GNO, position). */
    private static final int INDEX_ENTRY_SIZE = 16;

    private static List<EventGroup> source;

    @BeforeAll
    static void capture() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(1)) {
            source = WriterTesting.capture(cluster.node(0)).transactions();
        }
    }

    private static BinlogLogConfig config(Path dir) {
        return WriterTesting.config(dir, MAX_FILE, FsyncPolicy.NEVER, 1024);
    }

    /** The smallest captured transaction: the one appended last, so that cutting it byte by byte stays quick. */
    private static EventGroup smallest() {
        return source.stream().min(Comparator.comparingInt(EventGroup::byteSize)).orElseThrow();
    }

    /** Writes everything, then a small transaction, so that cutting the last one byte by byte stays quick. */
    private static List<AppendedTransaction> write(Path dir) throws IOException {
        try (GlobalBinlog log = GlobalBinlog.open(config(dir))) {
            List<AppendedTransaction> appended = new ArrayList<>(WriterTesting.writeAll(log, source));
            appended.add(WriterTesting.appendSource(log, WriterTesting.cts(appended.size()), smallest()));
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
        List<String> baseRows = WriterTesting.rowsOf(List.of(base.resolve(file)));
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
                    AppendedTransaction again = WriterTesting.appendSource(log, last.cts(), smallest());
                    assertEquals(last.gno(), again.gno(), "GTIDs stay gapless");
                    assertEquals(last.start(), again.start());
                    assertEquals(last.endPosition(), again.endPosition());
                }
                assertEquals(last.start(), log.findGno(last.gno()).orElseThrow());
            }
            if ((cut - last.start().position()) % 97 == 0) {
                assertEquals(baseRows, WriterTesting.rowsOf(List.of(dir.resolve(file))));
            }
        }
    }

    @Test
    void aCorruptEventIsCutWithItsTransactionAndATornIndexIsRebuilt(@TempDir Path dir) throws IOException {
        List<AppendedTransaction> appended = write(dir);
        AppendedTransaction last = appended.get(appended.size() - 1);
        Path file = dir.resolve(last.start().file());
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            // Inside the body of the transaction's last event (its XID): a checksum mismatch. A byte in the middle
            // could be an event's size field, which reads as a torn event instead.
            long at = last.endPosition() - 8;
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
            assertEquals(0, Files.size(index) % INDEX_ENTRY_SIZE, "torn index entry removed");
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
            WriterTesting.writeAll(log, source);
            String file = log.endPosition().file();
            int i = 0;
            // Append until an append rotates: it is then the first transaction of the newest file.
            do {
                first = WriterTesting.appendSource(log, WriterTesting.cts(1000 + i), source.get(i++ % 5));
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
            AppendedTransaction next = log.appendDdl(WriterTesting.cts(5000), null, "CREATE DATABASE IF NOT EXISTS x");
            assertEquals(first.gno(), next.gno());
            assertEquals(first.start(), next.start());
        }
        assertEquals("./" + newest, Files.readAllLines(dir.resolve("binlog.index")).get(listed.size()));
    }
}
