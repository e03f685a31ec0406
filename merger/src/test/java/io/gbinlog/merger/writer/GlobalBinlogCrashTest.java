package io.gbinlog.merger.writer;

import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.event.GtidEventData;
import com.github.shyiko.mysql.binlog.event.QueryEventData;
import com.github.shyiko.mysql.binlog.event.RowsQueryEventData;
import com.github.shyiko.mysql.binlog.event.XidEventData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * kill -9 at random moments: a child JVM appends to the global binlog ({@link AppendUntilKilled}) and is killed
 * while starting, recovering, appending or rotating; every kill is followed by a check that the log opens and
 * holds a gapless run of whole, correct transactions including every acknowledged one. The next child recovers
 * the killed one's files itself (the check works on a copy). Random: the seed is printed and can be set with
 * -Dgbinlog.seed=N (the moments a kill lands still vary with timing).
 */
class GlobalBinlogCrashTest {
    private static final int KILLS = 20;
    private static final String EOF = "";

    @Test
    void killedAtRandomMomentsTheLogKeepsEveryAcknowledgedTransactionWholeAndNothingElse(@TempDir Path tmp)
            throws Exception {
        long seed = Long.getLong("gbinlog.seed", System.nanoTime());
        System.out.println("GlobalBinlogCrashTest seed: " + seed + " (rerun with -Dgbinlog.seed=" + seed + ")");
        Random random = new Random(seed);
        Path dir = tmp.resolve("log");
        long acknowledged = 0;
        for (int kill = 1; kill <= KILLS; kill++) {
            // Mostly somewhere in the append after a few acknowledged ones; else soon after the child started,
            // which may fall into its recovery of the last child's files.
            boolean afterAcks = random.nextInt(10) < 7;
            int acksWanted = afterAcks ? 1 + random.nextInt(30) : 0;
            long micros = afterAcks ? random.nextInt(3_000) : random.nextInt(60_000);
            String moment = (afterAcks ? acksWanted + " acks" : "start") + " + " + micros + " us";
            Path stderr = tmp.resolve("child-" + kill + ".err");
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx64m",
                    "-cp", System.getProperty("java.class.path"), AppendUntilKilled.class.getName(), dir.toString())
                    .redirectError(stderr.toFile())
                    .start();
            BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            Thread reader = new Thread(() -> readLines(child, lines), "child-" + kill + "-stdout");
            reader.start();
            List<String> seen = new ArrayList<>();
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                int acks = 0;
                boolean started = false;
                while (!started || acks < acksWanted) {
                    String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                    if (line == null || line.equals(EOF)) {
                        fail("kill " + kill + ": the child " + (line == null ? "made no progress" : "ended")
                                + " before the moment to kill it (" + moment + "): " + seen + " "
                                + Files.readString(stderr));
                    }
                    seen.add(line);
                    started |= line.equals("STARTED");
                    acks += line.startsWith("ACK ") ? 1 : 0;
                }
                if (child.waitFor(micros, TimeUnit.MICROSECONDS)) {
                    fail("kill " + kill + ": the child ended by itself (exit " + child.exitValue() + "): "
                            + Files.readString(stderr));
                }
            } finally {
                child.destroyForcibly();
                child.waitFor();
                reader.join();
            }
            lines.drainTo(seen);
            for (String line : seen) {
                if (line.startsWith("OPENED ")) {
                    long recovered = Long.parseLong(line.substring(7));
                    assertTrue(recovered >= acknowledged, "kill " + kill + ": the child recovered up to GTID "
                            + recovered + ", but " + acknowledged + " was acknowledged");
                } else if (line.startsWith("ACK ")) {
                    acknowledged = Math.max(acknowledged, Long.parseLong(line.substring(4)));
                }
            }
            assertEquals("", Files.readString(stderr), "kill " + kill + ": the child complained");
            check(dir, tmp.resolve("check-" + kill), acknowledged, "kill " + kill + " (" + moment + ")");
        }
        assertTrue(acknowledged >= KILLS, "the children made progress: " + acknowledged + " acknowledged");
        assertTrue(WriterFixtures.binlogFiles(dir).size() > 3, "the children rotated");
    }

    private static void readLines(Process child, BlockingQueue<String> lines) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
                StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                lines.add(line);
            }
        } catch (IOException e) {
            lines.add("stdout failed: " + e);
        }
        lines.add(EOF);
    }

    /** Opens a copy of the killed child's log (so that the next child recovers the original) and reads it all. */
    private static void check(Path dir, Path copy, long acknowledged, String what) throws IOException {
        if (!Files.exists(dir)) {
            assertEquals(0, acknowledged, what);
            return; // killed before the log existed
        }
        copyTree(dir, copy);
        long last;
        try (GlobalBinlog log = GlobalBinlog.open(AppendUntilKilled.config(copy))) {
            last = log.lastGno();
            assertTrue(last >= acknowledged, what + ": the log ends at GTID " + last + " but " + acknowledged
                    + " was acknowledged; " + log.recoveryReport());
            for (long gno = 1; gno <= last; gno++) {
                assertTrue(log.findGno(gno).isPresent(), what + ": GTID " + gno);
            }
        }
        List<String> expected = new ArrayList<>();
        for (long gno = 1; gno <= last; gno++) {
            expected.add(expected(gno));
        }
        assertEquals(expected, transactions(copy), what);
    }

    private static String expected(long gno) {
        String marker = "/* gbinlog cts=" + AppendUntilKilled.cts(gno) + " */";
        if (AppendUntilKilled.isDdl(gno)) {
            return gno + ": " + marker + " " + AppendUntilKilled.ddl(gno);
        }
        return gno + ": BEGIN, " + marker + ", " + String.join(", ", AppendUntilKilled.statements(gno)) + ", XID";
    }

    /** Every transaction as read by mysql-binlog-connector-java: its GNO and the texts of its events. */
    private static List<String> transactions(Path dir) throws IOException {
        List<String> transactions = new ArrayList<>();
        StringBuilder tx = null;
        for (Path file : WriterFixtures.binlogFiles(dir)) {
            for (Event e : WriterFixtures.events(file)) {
                if (e.getData() instanceof GtidEventData g) {
                    if (tx != null) {
                        transactions.add(tx + " (unfinished)");
                    }
                    tx = new StringBuilder().append(g.getMySqlGtid().getTransactionId()).append(": ");
                } else if (e.getData() instanceof QueryEventData q) {
                    tx.append(q.getSql());
                    if (!q.getSql().equals("BEGIN")) {
                        transactions.add(tx.toString());
                        tx = null;
                    }
                } else if (e.getData() instanceof RowsQueryEventData r) {
                    tx.append(", ").append(r.getQuery());
                } else if (e.getData() instanceof XidEventData) {
                    transactions.add(tx.append(", XID").toString());
                    tx = null;
                }
            }
        }
        if (tx != null) {
            transactions.add(tx + " (unfinished)");
        }
        return transactions;
    }

    private static void copyTree(Path from, Path to) throws IOException {
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
}
