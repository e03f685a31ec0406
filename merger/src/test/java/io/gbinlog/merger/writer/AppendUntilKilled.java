package io.gbinlog.merger.writer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The child process of {@link GlobalBinlogCrashTest}: opens (recovers) the global binlog in the directory given
 * as argument and appends to it until it is killed, printing {@code STARTED} before it opens the log,
 * {@code OPENED <last gno>} after, and {@code ACK <gno>} once each append has returned,
 * that is once the transaction is fsynced. Each transaction's content follows from its GNO, so the parent can
 * tell a whole, correct transaction from anything else.
 */
public final class AppendUntilKilled {
    private AppendUntilKilled() {
    }

    static BinlogLogConfig config(Path dir) {
        return new BinlogLogConfig(dir, BinlogLogConfig.MIN_FILE_SIZE, FsyncPolicy.EVERY_TRANSACTION, 512, 7,
                UUID.fromString("3e11fa47-71ca-11e1-9e33-c80aa9429562"));
    }

    static long cts(long gno) {
        return (1_760_000_000_000L + gno) << 22;
    }

    /** Every fourth a DDL, the others row transactions of one to five statements of up to 3 KB. */
    static boolean isDdl(long gno) {
        return gno % 4 == 0;
    }

    static String ddl(long gno) {
        return "CREATE DATABASE IF NOT EXISTS d" + gno;
    }

    static List<String> statements(long gno) {
        List<String> texts = new ArrayList<>();
        long parts = 1 + gno % 5;
        for (long k = 1; k <= parts; k++) {
            texts.add("tx " + gno + " part " + k + " of " + parts + " " + "z".repeat((int) ((gno * 31 + k * 17) % 3000)));
        }
        return texts;
    }

    public static void main(String[] args) throws IOException {
        PrintStream out = System.out;
        out.println("STARTED");
        out.flush();
        try (GlobalBinlog log = GlobalBinlog.open(config(Path.of(args[0])))) {
            out.println("OPENED " + log.lastGno());
            out.flush();
            for (long gno = log.lastGno() + 1; ; gno++) {
                AppendedTransaction t;
                if (isDdl(gno)) {
                    t = log.appendDdl(cts(gno), null, ddl(gno));
                } else {
                    List<String> texts = statements(gno);
                    t = log.appendRows(cts(gno), 1L << (gno % 64), tx -> {
                        for (String text : texts) {
                            byte[] b = text.getBytes(StandardCharsets.UTF_8);
                            tx.rowsQuery(b, 0, b.length);
                        }
                    });
                }
                if (t.gno() != gno) {
                    throw new IllegalStateException("appended GTID " + t.gno() + " where " + gno + " was due");
                }
                out.println("ACK " + gno);
                out.flush();
            }
        }
    }
}
