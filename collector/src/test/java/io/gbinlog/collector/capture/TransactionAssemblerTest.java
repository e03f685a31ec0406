package io.gbinlog.collector.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.collector.ordering.Gtrid;
import io.gbinlog.collector.ordering.ProtocolViolationException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/** Event-group shapes a live data node cannot be made to produce on demand: cuts, crashes, protocol violations. */
class TransactionAssemblerTest {

    private static final String FILE = "mariadb-bin.000003";

    private final List<String> calls = new ArrayList<>();
    private final ProbeQueue probes = new ProbeQueue();
    private final TransactionAssembler assembler = new TransactionAssembler(2, "dn2", new CaptureListener() {
        @Override
        public void prepared(int stream, long position, Gtrid gtrid, EventGroup payload) {
            calls.add("prepared " + at(position) + " " + gtrid + " " + payload.size());
        }

        @Override
        public void committed(int stream, long position, Gtrid gtrid) {
            calls.add("committed " + at(position) + " " + gtrid);
        }

        @Override
        public void rolledBack(int stream, long position, Gtrid gtrid) {
            calls.add("rolledBack " + at(position) + " " + gtrid);
        }

        @Override
        public void localCommit(int stream, long position, EventGroup payload) {
            calls.add("local " + at(position) + " " + payload.size() + (payload.isDdl() ? " ddl " + payload.statement(0) : ""));
        }

        @Override
        public void commitLogRow(int stream, long position, Gtrid gtrid, long cts, List<String> participants) {
            calls.add("commitLog " + at(position) + " " + gtrid + " " + cts + " " + participants);
        }

        @Override
        public void probeReached(int stream, long tso) {
            calls.add("probe " + tso);
        }
    }, probes);
    private final Binlog binlog = new Binlog(FILE);

    private static String at(long position) {
        return (position >>> 32) + ":" + (position & 0xFFFFFFFFL);
    }

    private void start() {
        assembler.startAt(new BinlogCoordinates(FILE, 4));
        assembler.accept(binlog.fakeRotate(FILE, 4));
    }

    private void localTransaction(int value) {
        assembler.accept(binlog.gtid(false));
        assembler.accept(binlog.annotate("INSERT " + value));
        assembler.accept(binlog.tableMap(18, "app", "t"));
        assembler.accept(binlog.writeRow(18, value));
        assembler.accept(binlog.xid());
    }

    @Test
    void aGroupCutByAReconnectIsDeliveredOnceWhenReadAgain() {
        start();
        long groupStart = binlog.position();
        assembler.accept(binlog.gtid(false));
        assembler.accept(binlog.tableMap(18, "app", "t"));
        assertEquals(new BinlogCoordinates(FILE, 4), assembler.resumePosition(), "nothing delivered yet");
        assertTrue(assembler.insideGroup());

        // The connection drops here; the stream is read again from the resume position.
        Binlog again = new Binlog(FILE);
        assembler.startAt(assembler.resumePosition());
        assembler.accept(again.fakeRotate(FILE, 4));
        assertEquals(groupStart, again.position());
        assembler.accept(again.gtid(false));
        assembler.accept(again.tableMap(18, "app", "t"));
        assembler.accept(again.writeRow(18, 1));
        assembler.accept(again.xid());
        assertEquals(List.of("local 3:4 2"), calls);
        assertEquals(new BinlogCoordinates(FILE, again.position()), assembler.resumePosition());
    }

    @Test
    void theStreamMustStartWhereItWasAskedTo() {
        assembler.startAt(new BinlogCoordinates(FILE, 400));
        CaptureException e = assertThrows(CaptureException.class, () -> assembler.accept(binlog.fakeRotate(FILE, 4)));
        assertEquals("dn2: asked for the binlog from mariadb-bin.000003:400 but the data node starts at"
                + " mariadb-bin.000003:4", e.getMessage());
    }

    @Test
    void xaShapesBecomePrepareCommitRollbackAndDecisions() {
        start();
        assembler.accept(binlog.gtid(false));
        assembler.accept(binlog.annotate("INSERT"));
        assembler.accept(binlog.tableMap(18, "app", "t"));
        assembler.accept(binlog.writeRow(18, 1));
        assembler.accept(binlog.query("XA END X'6731',X'6231',1"));
        assembler.accept(binlog.xaPrepare("g1", "b1", false));
        long decision = binlog.position();
        assembler.accept(binlog.gtid(false));
        assembler.accept(binlog.annotate("INSERT INTO __gbinlog.commit_log"));
        assembler.accept(binlog.tableMap(22, "__gbinlog", "commit_log"));
        assembler.accept(binlog.writeCommitLog(22, "g1", 1234567, "dn2, dn0"));
        assembler.accept(binlog.xid());
        long commit = binlog.position();
        assembler.accept(binlog.gtid(true));
        assembler.accept(binlog.query("XA COMMIT X'6731',X'6231',1"));
        long rollback = binlog.position();
        assembler.accept(binlog.gtid(true));
        assembler.accept(binlog.query("XA ROLLBACK X'0001ff',X'',3"));
        // XA COMMIT ... ONE PHASE: prepared and committed at once, a local transaction.
        long onePhase = binlog.position();
        assembler.accept(binlog.gtid(false));
        assembler.accept(binlog.tableMap(18, "app", "t"));
        assembler.accept(binlog.writeRow(18, 2));
        assembler.accept(binlog.xaPrepare("g3", "", true));
        long ddl = binlog.position();
        assembler.accept(binlog.gtid(true));
        assembler.accept(binlog.query("ALTER TABLE t ADD COLUMN c INT"));
        assertEquals(List.of("prepared 3:4 g1 3", "commitLog 3:" + decision + " g1 1234567 [dn2, dn0]",
                "committed 3:" + commit + " g1", "rolledBack 3:" + rollback + " X'0001ff'",
                "local 3:" + onePhase + " 2", "local 3:" + ddl + " 1 ddl ALTER TABLE t ADD COLUMN c INT"),
                calls);
    }

    @Test
    void mysqlShapesAreFramedByBeginAndXaStart() {
        start();
        assembler.accept(binlog.event(Binlog.GTID_MYSQL, new byte[42]));
        assembler.accept(binlog.query("BEGIN"));
        assembler.accept(binlog.tableMap(18, "app", "t"));
        assembler.accept(binlog.writeRow(18, 1));
        assembler.accept(binlog.xid());
        assembler.accept(binlog.event(Binlog.GTID_MYSQL, new byte[42]));
        assembler.accept(binlog.query("XA START X'6731',X'6231',1"));
        assembler.accept(binlog.tableMap(18, "app", "t"));
        assembler.accept(binlog.writeRow(18, 1));
        assembler.accept(binlog.query("XA END X'6731',X'6231',1"));
        assembler.accept(binlog.xaPrepare("g1", "b1", false));
        assembler.accept(binlog.event(Binlog.GTID_MYSQL, new byte[42]));
        assembler.accept(binlog.query("CREATE TABLE x (id INT)"));
        assertEquals(3, calls.size(), calls::toString);
        assertTrue(calls.get(0).startsWith("local") && calls.get(1).startsWith("prepared")
                && calls.get(2).endsWith("ddl CREATE TABLE x (id INT)"), calls::toString);
    }

    @Test
    void aCommitLogRowInsideAnXaBranchBreaksTheProtocol() {
        start();
        assembler.accept(binlog.gtid(false));
        assembler.accept(binlog.tableMap(22, "__gbinlog", "commit_log"));
        assembler.accept(binlog.writeCommitLog(22, "g1", 5, "dn2"));
        assembler.accept(binlog.query("XA END X'6731',X'6231',1"));
        ProtocolViolationException e = assertThrows(ProtocolViolationException.class,
                () -> assembler.accept(binlog.xaPrepare("g1", "b1", false)));
        assertTrue(e.getMessage().startsWith("dn2: XA branch 'g1' prepared at mariadb-bin.000003:4 writes"
                + " __gbinlog.commit_log; a commit decision must be inserted with autocommit"), e.getMessage());
    }

    @Test
    void aCommitLogRowMixedWithDataOrUpdatedBreaksTheProtocol() {
        start();
        assembler.accept(binlog.gtid(false));
        assembler.accept(binlog.tableMap(22, "__gbinlog", "commit_log"));
        assembler.accept(binlog.writeCommitLog(22, "g1", 5, "dn2"));
        assembler.accept(binlog.tableMap(18, "app", "t"));
        assembler.accept(binlog.writeRow(18, 1));
        ProtocolViolationException mixed = assertThrows(ProtocolViolationException.class,
                () -> assembler.accept(binlog.xid()));
        assertTrue(mixed.getMessage().contains("writes __gbinlog.commit_log together with other tables"), mixed.getMessage());

        assembler.startAt(new BinlogCoordinates(FILE, binlog.position()));
        assembler.accept(binlog.gtid(false));
        assembler.accept(binlog.tableMap(22, "__gbinlog", "commit_log"));
        assembler.accept(binlog.updateCommitLog(22));
        ProtocolViolationException updated = assertThrows(ProtocolViolationException.class,
                () -> assembler.accept(binlog.xid()));
        assertTrue(updated.getMessage().contains("updates __gbinlog.commit_log rows"), updated.getMessage());
    }

    @Test
    void ddlLogRowsAreRecognised() {
        start();
        List<EventGroup> payloads = new ArrayList<>();
        TransactionAssembler a = new TransactionAssembler(0, "dn0", new Recording(payloads), null);
        a.startAt(new BinlogCoordinates(FILE, binlog.position()));
        a.accept(binlog.gtid(false));
        a.accept(binlog.tableMap(30, "__gbinlog", "ddl_log"));
        a.accept(binlog.writeDdlLog(30, 42, "app", "ALTER TABLE t ADD COLUMN c INT"));
        a.accept(binlog.query("XA END X'6731',X'6231',1"));
        a.accept(binlog.xaPrepare("g1", "b1", false));
        assertEquals(1, payloads.size());
        assertTrue(payloads.get(0).writesDdlLog());
        assertEquals(List.of(new LogicalDdl(42, "app", "ALTER TABLE t ADD COLUMN c INT")), payloads.get(0).logicalDdls());
        assertEquals("__gbinlog", payloads.get(0).database(0));
        assertEquals("ddl_log", payloads.get(0).table(0));
        assertEquals(30, payloads.get(0).tableId(1));
    }

    @Test
    void ddlLogRowsMixedWithDataBreakTheProtocol() {
        start();
        assembler.accept(binlog.gtid(false));
        assembler.accept(binlog.tableMap(30, "__gbinlog", "ddl_log"));
        assembler.accept(binlog.writeDdlLog(30, 42, "app", "ALTER TABLE t ADD COLUMN c INT"));
        assembler.accept(binlog.tableMap(18, "app", "t"));
        assembler.accept(binlog.writeRow(18, 1));
        ProtocolViolationException mixed = assertThrows(ProtocolViolationException.class,
                () -> assembler.accept(binlog.xid()));
        assertTrue(mixed.getMessage().contains("writes __gbinlog.ddl_log together with other tables"),
                mixed.getMessage());
    }

    @Test
    void eventsTheCollectorCannotCaptureStopTheStream() {
        start();
        CaptureException outside = assertThrows(CaptureException.class, () -> assembler.accept(binlog.xid()));
        assertTrue(outside.getMessage().contains("is outside any transaction (no GTID event before it; a start position"
                + " must be the start of an event group)"), outside.getMessage());

        assembler.accept(binlog.gtid(false));
        CaptureException compressed = assertThrows(CaptureException.class,
                () -> assembler.accept(binlog.event(166, new byte[20])));
        assertTrue(compressed.getMessage().endsWith("(a compressed event: set log_bin_compress=OFF on the data node)"),
                compressed.getMessage());

        assembler.startAt(new BinlogCoordinates(FILE, binlog.position()));
        assembler.accept(binlog.gtid(false));
        binlog.skip(100);
        CaptureException gap = assertThrows(CaptureException.class, () -> assembler.accept(binlog.xid()));
        assertTrue(gap.getMessage().endsWith("in the same transaction: events are missing from the stream"), gap.getMessage());

        assembler.startAt(new BinlogCoordinates(FILE, binlog.position()));
        CaptureException incident = assertThrows(CaptureException.class,
                () -> assembler.accept(binlog.event(Binlog.INCIDENT, new byte[10])));
        assertTrue(incident.getMessage().contains("INCIDENT"), incident.getMessage());
    }

    @Test
    void aGroupCutOffByACrashIsDroppedAndTheNextFileFollows() {
        start();
        assembler.accept(binlog.gtid(false));
        assembler.accept(binlog.tableMap(18, "app", "t"));
        // The data node crashed here; its stream continues in the next file.
        Binlog next = new Binlog("mariadb-bin.000004");
        assembler.accept(next.fakeRotate("mariadb-bin.000004", 4));
        assertEquals(new BinlogCoordinates("mariadb-bin.000004", 4), assembler.resumePosition());
        assembler.accept(next.gtid(false));
        assembler.accept(next.tableMap(18, "app", "t"));
        assembler.accept(next.writeRow(18, 1));
        assembler.accept(next.xid());
        assertEquals(List.of("local 4:4 2"), calls);
    }

    @Test
    void probesAreReleasedBetweenGroupsOnceTheStreamReachedThem() {
        start();
        localTransaction(1);
        long afterFirst = binlog.encoded();
        probes.add(100, afterFirst);
        assembler.accept(binlog.gtid(false));
        probes.add(200, binlog.encoded() + 1000);
        assertEquals(List.of("local 3:4 3"), calls, "no probe inside a group");
        assembler.accept(binlog.tableMap(18, "app", "t"));
        assembler.accept(binlog.writeRow(18, 2));
        assembler.accept(binlog.xid());
        assertEquals("probe 100", calls.get(2));
        assertEquals(3, calls.size());
        // Idle: the data node's heartbeat says how far it has sent.
        assembler.accept(binlog.heartbeat("mariadb-bin.000002", binlog.position() + 2000));
        assertEquals(3, calls.size(), "a heartbeat of another file says nothing");
        assembler.accept(binlog.heartbeat(FILE, binlog.position() + 2000));
        assertEquals("probe 200", calls.get(3));
    }

    @Test
    void theBinlogGoingBackIsRefused() {
        start();
        CaptureException e = assertThrows(CaptureException.class,
                () -> assembler.accept(binlog.rotate("mariadb-bin.000001")));
        assertTrue(e.getMessage().contains("the binlog went back from mariadb-bin.000003 to mariadb-bin.000001"),
                e.getMessage());
    }

    private record Recording(List<EventGroup> payloads) implements CaptureListener {
        @Override
        public void prepared(int stream, long position, Gtrid gtrid, EventGroup payload) {
            payloads.add(payload);
        }

        @Override
        public void committed(int stream, long position, Gtrid gtrid) {
        }

        @Override
        public void rolledBack(int stream, long position, Gtrid gtrid) {
        }

        @Override
        public void localCommit(int stream, long position, EventGroup payload) {
            payloads.add(payload);
        }

        @Override
        public void commitLogRow(int stream, long position, Gtrid gtrid, long cts, List<String> participants) {
        }

        @Override
        public void probeReached(int stream, long tso) {
        }
    }
}
