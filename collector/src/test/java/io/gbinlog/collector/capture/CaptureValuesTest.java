package io.gbinlog.collector.capture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.collector.ordering.Gtrid;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

/** Positions, XIDs, probes and payload accessors. */
class CaptureValuesTest {

    @Test
    void coordinatesEncodeFileNumberAndOffsetInOrder() {
        BinlogCoordinates a = new BinlogCoordinates("mariadb-bin.000003", 4);
        BinlogCoordinates b = new BinlogCoordinates("mariadb-bin.000002", 0xFFFF_FFF0L);
        assertEquals(3L << 32 | 4, a.encoded());
        assertTrue(b.compareTo(a) < 0);
        assertEquals(a, BinlogCoordinates.decode(a.encoded(), "mariadb-bin.000017"));
        assertEquals("binlog.1234567:9", BinlogCoordinates.decode(1234567L << 32 | 9, "binlog.000001").toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new BinlogCoordinates("mariadb-bin", 4));
        assertEquals("'mariadb-bin' is not a binlog file name (base name, a dot, a number)", e.getMessage());
    }

    @Test
    void xidsParseTheSqlFormTheServersWrite() {
        Xid hex = Xid.parse("XA COMMIT X'6731',X'6231',1", 10);
        assertEquals(new Xid(1, "g1".getBytes(), "b1".getBytes()), hex);
        assertEquals(Gtrid.of("g1"), hex.gtrid());
        assertEquals("X'6731',X'6231',1", hex.toString());
        assertEquals(new Xid(3, new byte[] {0, 1, (byte) 0xff}, new byte[0]), Xid.parse("X'0001ff',X'',3", 0));
        assertEquals(new Xid(1, "g".getBytes(), new byte[0]), Xid.parse(" 'g'", 0));
        assertEquals(Xid.of(7, 2, 1, new byte[] {'a', 'b', 'c'}), new Xid(7, "ab".getBytes(), "c".getBytes()));
        assertThrows(IllegalArgumentException.class, () -> Xid.parse("X'zz'", 0));
        assertThrows(IllegalArgumentException.class, () -> Xid.of(1, 2, 2, new byte[3]));
    }

    @Test
    void queryTextTellsFramingFromStatements() {
        String xa = QueryText.of(Binlog.queryBody("app", "XA ROLLBACK X'6731',X'',1"));
        assertTrue(QueryText.isXaRollback(xa));
        assertEquals(Gtrid.of("g1"), QueryText.xaStatementXid(xa).gtrid());
        assertTrue(QueryText.isTransactionControl("ROLLBACK TO `sp1`".toUpperCase()));
        assertTrue(!QueryText.isRollback("ROLLBACK TO sp1") && QueryText.isRollback("rollback"));
        assertTrue(!QueryText.isTransactionControl("CREATE TABLE t (id INT)"));
    }

    @Test
    void probesAreReleasedInOrderAndBounded() {
        ProbeQueue q = new ProbeQueue();
        List<Long> released = new ArrayList<>();
        q.add(10, 100);
        q.add(20, 100);
        q.add(30, 250);
        q.release(99, released::add);
        assertEquals(List.of(), released);
        q.release(200, released::add);
        assertEquals(List.of(10L, 20L), released);
        assertThrows(IllegalArgumentException.class, () -> q.add(25, 300), "a TSO going back");
        assertThrows(IllegalArgumentException.class, () -> q.add(40, 200), "a binlog position going back");
        for (int i = 0; i < 1000; i++) {
            q.add(100 + i, 1000 + i);
        }
        assertTrue(q.size() <= 256);
        released.clear();
        q.release(Long.MAX_VALUE, released::add);
        assertEquals(1099L, released.get(released.size() - 1), "the newest probe survives the bound");
    }

    @Test
    void payloadGivesTextsNamesAndTableIds() {
        EventGroupBuilder b = new EventGroupBuilder();
        b.add(160, "/* sql_id=a.1 */ INSERT".getBytes());
        b.add(19, Binlog.bytes(Binlog.le(18, 6), Binlog.le(1, 2), new byte[] {3, 'a', 'p', 'p', 0, 1, 't', 0, 1, 3, 0, 0}));
        b.add(23, Binlog.bytes(Binlog.le(18, 6), Binlog.le(1, 2), new byte[] {1, 1, 0, 1, 0, 0, 0}));
        b.add(2, Binlog.queryBody("shop", "DROP TABLE x"));
        b.markDdl();
        EventGroup g = b.build();
        assertEquals(4, g.size());
        assertTrue(g.isRowsQuery(0) && g.isTableMap(1) && g.isRows(2) && g.isQuery(3) && g.isDdl());
        assertEquals("/* sql_id=a.1 */ INSERT", g.statement(0));
        assertEquals("app", g.database(1));
        assertEquals("t", g.table(1));
        assertEquals(18, g.tableId(1));
        assertEquals(18, g.tableId(2));
        assertEquals("DROP TABLE x", g.statement(3));
        assertEquals("shop", g.defaultDatabase(3));
        assertThrows(IllegalArgumentException.class, () -> g.tableId(0));
        assertTrue(b.isEmpty(), "the builder starts over");
    }
}
