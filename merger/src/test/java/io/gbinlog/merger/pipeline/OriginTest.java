package io.gbinlog.merger.pipeline;

import io.gbinlog.collector.capture.BinlogCoordinates;
import io.gbinlog.collector.ordering.Gtrid;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class OriginTest {

    @Test
    void gtridsAreWrittenAsTheHexOfTheirBytes() {
        assertEquals("gtrid=6731", Origin.distributed(Gtrid.of("g1")));
        assertEquals("gtrid=0001ff", Origin.distributed(Gtrid.of(new byte[] {0, 1, (byte) 0xff})));
        // A gtrid whose text looks like Gtrid's X'..' form is still written as its own bytes.
        assertEquals("gtrid=5827343127", Origin.distributed(Gtrid.of("X'41'")));
    }

    @Test
    void localsNameTheirDataNodeAndPosition() {
        assertEquals("local=dn-7:mariadb-bin.000003:1234",
                Origin.local("dn-7", new BinlogCoordinates("mariadb-bin.000003", 1234)));
    }
}
