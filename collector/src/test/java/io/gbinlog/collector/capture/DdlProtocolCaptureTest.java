package io.gbinlog.collector.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.collector.ordering.Gtrid;
import io.gbinlog.collector.source.BinlogFileCollector;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The DDL protocol as MariaDB 10.11 logs it (captured bytes, see {@code mariadb-10.11-ddl/README.md}): the marker
 * survives at the start of the physical DDL's QUERY text, and the ddl_log rows decode to the logical DDLs.
 */
class DdlProtocolCaptureTest {

    private static final String FILE = "mariadb-bin.000001";

    private final List<String> calls = new ArrayList<>();
    private final List<EventGroup> groups = new ArrayList<>();

    @Test
    void markedDdlsAndDdlLogRowsAreRecognised() throws Exception {
        Path file = Path.of(getClass().getResource("/mariadb-10.11-ddl/" + FILE).toURI());
        BinlogFileCollector.read(List.of(file), new BinlogCoordinates(FILE, BinlogCoordinates.FIRST_EVENT), 0, "dn0",
                new Recorder());
        assertEquals(List.of(
                "local ddl CREATE DATABASE __gbinlog",
                "local ddl CREATE TABLE __gbinlog.commit_log",
                "local ddl CREATE TABLE __gbinlog.ddl_log",
                "local ddl CREATE DATABASE app",
                "local ddl CREATE TABLE app.t",
                "local rows",
                "local ddl_id=7428000000000001 /* gbinlog ddl_id=7428000000000001 */ ALTER TABLE app.t",
                "prepared gddl1 [LogicalDdl[id=7428000000000001, schema=app, ddl=ALTER TABLE t ADD COLUMN note"
                        + " VARCHAR(64) NULL]]",
                "commitLog gddl1 7428000000000002 [dn0, dn1]",
                "committed gddl1",
                "local rows",
                "local ddl_id=7428000000000003 /* gbinlog ddl_id=7428000000000003 */ CREATE TABLE `naïve`",
                "local [LogicalDdl[id=7428000000000003, schema=, ddl=CREATE TABLE app.`naïve` (id BIGINT PRIMARY KEY,"
                        + " label VARCHAR(30)) ENGINE=InnoDB]]",
                "local ddl CREATE TABLE app.by_hand"), calls);

        EventGroup naive = groups.get(groups.size() - 3);
        assertEquals("app", naive.defaultDatabase(0), "the marker leaves the default database alone");
        EventGroup byHand = groups.get(groups.size() - 1);
        assertFalse(byHand.isProtocolDdl());
        assertThrows(IllegalStateException.class, byHand::ddlId);
        EventGroup plainRows = groups.get(5);
        assertTrue(plainRows.logicalDdls().isEmpty() && !plainRows.writesDdlLog());
    }

    @Test
    void theMarkerIsTheExactLeadingComment() {
        assertEquals(42, DdlMarker.idOf("/* gbinlog ddl_id=42 */ ALTER TABLE t ADD c INT"));
        assertEquals(Long.MAX_VALUE, DdlMarker.idOf("/* gbinlog ddl_id=" + Long.MAX_VALUE + " */ DROP TABLE t"));
        assertEquals(-1, DdlMarker.idOf("/* gbinlog ddl_id=9223372036854775808 */ DROP TABLE t"));
        assertEquals(-1, DdlMarker.idOf("/* gbinlog ddl_id= */ DROP TABLE t"));
        assertEquals(-1, DdlMarker.idOf("/* gbinlog ddl_id=12x */ DROP TABLE t"));
        assertEquals(-1, DdlMarker.idOf("/* sql_id=a */ /* gbinlog ddl_id=12 */ DROP TABLE t"));
        assertEquals(-1, DdlMarker.idOf("DROP TABLE t /* gbinlog ddl_id=12 */"));
    }

    private void record(String call, EventGroup group) {
        calls.add(call);
        groups.add(group);
    }

    private static String start(String statement) {
        String[] words = statement.split(" ");
        int n = words[0].startsWith("/*") ? 7 : 3;
        return String.join(" ", List.of(words).subList(0, Math.min(n, words.length)));
    }

    private final class Recorder implements CaptureListener {
        @Override
        public void prepared(int stream, long position, Gtrid gtrid, EventGroup payload) {
            record("prepared " + gtrid + " " + payload.logicalDdls(), payload);
        }

        @Override
        public void committed(int stream, long position, Gtrid gtrid) {
            calls.add("committed " + gtrid);
        }

        @Override
        public void rolledBack(int stream, long position, Gtrid gtrid) {
            calls.add("rolledBack " + gtrid);
        }

        @Override
        public void localCommit(int stream, long position, EventGroup g) {
            if (g.isProtocolDdl()) {
                record("local ddl_id=" + g.ddlId() + " " + start(g.statement(0)), g);
            } else if (g.isDdl()) {
                record("local ddl " + start(g.statement(0)), g);
            } else if (g.writesDdlLog()) {
                record("local " + g.logicalDdls(), g);
            } else {
                record("local rows", g);
            }
        }

        @Override
        public void commitLogRow(int stream, long position, Gtrid gtrid, long cts, List<String> participants) {
            calls.add("commitLog " + gtrid + " " + cts + " " + participants);
        }

        @Override
        public void probeReached(int stream, long tso) {
            calls.add("probe " + tso);
        }
    }
}
