package io.gbinlog.integration.coordinator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GtridTest {

    @Test
    void roundTripsThroughItsText() {
        Gtrid gtrid = new Gtrid("k3v9q2xa", 42, List.of("dn2", "dn0"));
        assertEquals("k3v9q2xa:42:dn2,dn0", gtrid.toString());
        assertEquals(Optional.of(gtrid), Gtrid.parse(gtrid.toString()));
        assertEquals("dn2", gtrid.primary());
        assertEquals("dn2,dn0", gtrid.participantList());
        assertEquals("'k3v9q2xa:42:dn2,dn0','dn0'", gtrid.xid("dn0"));
    }

    @Test
    void foreignXaIdsAreNotOurs() {
        assertEquals(Optional.empty(), Gtrid.parse("g1"));
        assertEquals(Optional.empty(), Gtrid.parse("abc:1:dn0"), "a single participant is no distributed transaction");
        assertEquals(Optional.empty(), Gtrid.parse("abc:1:dn0,dn0"));
        assertEquals(Optional.empty(), Gtrid.parse("a'b:1:dn0,dn1"));
    }

    @Test
    void refusesWhatMySqlCouldNotStore() {
        List<String> many = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            many.add("dn" + i);
        }
        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> new Gtrid("coord", 1, many));
        assertTrue(tooLong.getMessage().contains("64"), tooLong::getMessage);
        IllegalArgumentException badId = assertThrows(IllegalArgumentException.class,
                () -> new Gtrid("co'rd", 1, List.of("dn0", "dn1")));
        assertTrue(badId.getMessage().contains("coordinator id"), badId::getMessage);
    }
}
