package io.gbinlog.dumper.gtid;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class GtidSetTest {

    private static final String A = "3e11fa47-71ca-11e1-9e33-c80aa9429562";
    private static final String B = "8a94f357-aab4-11df-86ab-c80aa9429562";

    @Test
    void normalisesAsMysqlPrints() {
        assertEquals(A + ":1-7:9,\n" + B + ":2", GtidSet.parse(B + ":2, " + A.toUpperCase() + ":5-7:1-4:9").toString());
        assertEquals("", GtidSet.parse("").toString());
        assertEquals(A + ":1-3", GtidSet.parse(A + ":1-2:3,\n" + A + ":2").toString());
    }

    @Test
    void subtractCutsIntervals() {
        GtidSet all = GtidSet.parse(A + ":1-10," + B + ":1-3");
        assertEquals(A + ":1-2:6-7:10", all.subtract(GtidSet.parse(A + ":3-5:8-9," + B + ":1-3")).toString());
        assertEquals(all, all.subtract(GtidSet.parse("")));
        assertEquals("", all.subtract(all).toString());
        assertEquals(B + ":1-3", all.subtract(GtidSet.parse(A + ":1-20")).toString());
    }

    @Test
    void subset() {
        assertTrue(GtidSet.parse(A + ":2-3").isSubsetOf(GtidSet.parse(A + ":1-5," + B + ":1")));
        assertTrue(GtidSet.parse("").isSubsetOf(GtidSet.parse("")));
        assertFalse(GtidSet.parse(A + ":2-6").isSubsetOf(GtidSet.parse(A + ":1-5")));
        assertFalse(GtidSet.parse(B + ":1").isSubsetOf(GtidSet.parse(A + ":1-5")));
    }

    @Test
    void malformedSetsAreRefusedNamingThem() {
        for (String bad : new String[] {"x:1", A, A + ":0", A + ":5-3", A + ":1-", A + ":a", A + ":1,,"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GtidSet.parse(bad), bad);
            assertEquals("Malformed GTID set specification '" + bad + "'.", e.getMessage());
        }
    }
}
