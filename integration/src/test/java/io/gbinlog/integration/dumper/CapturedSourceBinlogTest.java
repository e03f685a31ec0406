package io.gbinlog.integration.dumper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.gbinlog.dumper.fixture.SourceTransactions;
import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.cluster.LocalCluster;
import io.gbinlog.protocol.binlog.EventType;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The dumper's unit tests stream real MariaDB row events from a capture committed in the dumper's test resources
 * ({@code dumper/src/test/resources/mariadb-10.11-shop/}). This test is that capture's recipe, kept honest: it runs
 * {@link CaptureRecipe} with the recorded seed on a fresh data node and checks that the committed capture holds
 * exactly the same events (but for MariaDB's table ids, which depend on the server's history) and the same final
 * tables.
 *
 * <p>To capture again (another MariaDB version, another workload):
 * {@code mvn -B -pl integration -am test -Dtest=CapturedSourceBinlogTest -Dsurefire.failIfNoSpecifiedTests=false
 * -Dgbinlog.capture.to=$PWD/dumper/src/test/resources/mariadb-10.11-shop}; it writes the binlog and the tables file
 * there instead of comparing.
 */
class CapturedSourceBinlogTest {

    @Test
    void committedCaptureIsWhatItsRecipeYields() throws Exception {
        try (LocalCluster cluster = LocalCluster.start(1)) {
            DataNode node = cluster.node(0);
            Map<String, List<String>> tables = new LinkedHashMap<>();
            String version;
            try (Connection c = node.connect(); Statement s = c.createStatement()) {
                version = version(s);
                CaptureRecipe.createSchema(s);
                CaptureRecipe.run(c, s, new Random(CaptureRecipe.SEED));
                for (String table : SourceTransactions.TABLES) {
                    tables.put(table, CaptureRecipe.rows(c, SourceTransactions.DB, table));
                }
                s.execute("FLUSH BINARY LOGS"); // the captured file ends with its rotate event, complete
            }
            Path binlog = node.binlogFiles().get(0);

            String captureTo = System.getProperty("gbinlog.capture.to");
            if (captureTo != null) {
                Path dir = Files.createDirectories(Path.of(captureTo));
                Files.copy(binlog, dir.resolve("mariadb-bin.000001"), StandardCopyOption.REPLACE_EXISTING);
                Files.writeString(dir.resolve("tables.txt"), SourceTransactions.tablesText(tables), StandardCharsets.UTF_8);
                System.out.println("captured " + Files.size(binlog) + " bytes of MariaDB " + version + " binlog into " + dir);
                return;
            }
            assumeTrue(version.startsWith("10.11."), "the committed capture is of MariaDB 10.11; this server is " + version);
            SourceTransactions fresh;
            try (InputStream in = Files.newInputStream(binlog)) {
                fresh = SourceTransactions.read(in, tables);
            }
            SourceTransactions committed = SourceTransactions.get();
            assertEquals(committed.tableDdls(), fresh.tableDdls());
            assertEquals(committed.transactions().size(), fresh.transactions().size(), "row transactions");
            for (int i = 0; i < fresh.transactions().size(); i++) {
                assertEquals(text(committed.transactions().get(i)), text(fresh.transactions().get(i)), "transaction " + i);
            }
            for (String table : SourceTransactions.TABLES) {
                assertEquals(committed.rows(table), fresh.rows(table), table);
            }
        }
    }

    private static String version(Statement s) throws Exception {
        try (ResultSet r = s.executeQuery("SELECT VERSION()")) {
            r.next();
            return r.getString(1);
        }
    }

    /**
     * One line per event: its type and its body, a statement as its text, a table map or row event in hex with the
     * table id (its first 6 bytes) zeroed.
     */
    private static String text(List<SourceTransactions.RawEvent> transaction) {
        StringBuilder text = new StringBuilder();
        for (SourceTransactions.RawEvent e : transaction) {
            text.append(e.type()).append(' ');
            if (e.type() == EventType.MARIADB_ANNOTATE_ROWS) {
                text.append(new String(e.body(), StandardCharsets.UTF_8));
            } else {
                byte[] body = e.body().clone();
                Arrays.fill(body, 0, 6, (byte) 0);
                text.append(HexFormat.of().formatHex(body));
            }
            text.append('\n');
        }
        return text.toString();
    }
}
