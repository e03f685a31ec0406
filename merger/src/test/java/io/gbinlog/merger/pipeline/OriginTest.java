package io.gbinlog.merger.pipeline;

import io.gbinlog.collector.capture.BinlogCoordinates;
import io.gbinlog.collector.ordering.Gtrid;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OriginTest {

    @Test
    void gtridsAreWrittenAsTheHexOfTheirBytes() {
        assertEquals("gtrid=6731", Origin.distributed(Gtrid.of("g1")));
        assertEquals("gtrid=0001ff", Origin.distributed(Gtrid.of(new byte[] {0, 1, (byte) 0xff})));
        // Printable text that looks like the X'..' form is still the text.
        assertEquals("gtrid=5827343127", Origin.distributed(Gtrid.of("X'41'")));
        assertArrayEquals(new byte[] {0, 1, (byte) 0xff}, Origin.bytes(Gtrid.of(new byte[] {0, 1, (byte) 0xff})));
    }

    @Test
    void originsReadBack() {
        BinlogCoordinates at = new BinlogCoordinates("mariadb-bin.000012", 4567);
        Origin local = Origin.parse(Origin.local("dn-7", at));
        assertTrue(local.isLocal());
        assertEquals("dn-7", local.dataNode());
        assertEquals(at, local.coordinates());
        Origin distributed = Origin.parse("gtrid=6731");
        assertEquals("6731", distributed.gtrid());
        for (String other : new String[] {null, "", "something=1", "local=dn0", "local=dn0:file:x", "local=:f.1:2"}) {
            assertNull(Origin.parse(other), other);
        }
    }
}
