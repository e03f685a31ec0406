package io.gbinlog.meta.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class NameMappingTest {
    private final NameMapping names = NameMapping.of(List.of(
            new NameMapping.Rule("shop_p{n}.orders_{n}", "shop.orders"),
            new NameMapping.Rule("shop_p{n}.*", "shop.*"),
            new NameMapping.Rule("log.t{n}x", "log.t")));

    @Test
    void firstMatchingRuleWins() {
        assertEquals(new LogicalName("shop", "orders"), names.map("shop_p0", "orders_00"));
        assertEquals(new LogicalName("shop", "orders"), names.map("shop_p12", "orders_7"));
        assertEquals(new LogicalName("shop", "customers"), names.map("shop_p1", "customers"));
        assertEquals(new LogicalName("shop", "orders_x"), names.map("shop_p1", "orders_x"), "* keeps the table");
        assertEquals(new LogicalName("log", "t"), names.map("log", "t12x"));
    }

    @Test
    void noMatchKeepsThePhysicalName() {
        assertEquals(new LogicalName("shop_px", "orders_1"), names.map("shop_px", "orders_1"), "{n} needs digits");
        assertEquals(new LogicalName("shop_p", "orders_1"), names.map("shop_p", "orders_1"), "{n} needs one digit");
        assertEquals(new LogicalName("log", "t1"), names.map("log", "t1"), "literal text after {n} must match");
        assertEquals(new LogicalName("Shop_p1", "a"), names.map("Shop_p1", "a"), "names are case-sensitive");
        assertEquals(new LogicalName("a.b", "c"), names.map("a.b", "c"));
    }

    @Test
    void protocolAndSystemSchemasAreNeverMapped() {
        NameMapping all = NameMapping.of(List.of(new NameMapping.Rule("{n}x.*", "z.*"),
                new NameMapping.Rule("mysql.*", "m.*"), new NameMapping.Rule("__gbinlog.*", "g.*")));
        assertEquals(new LogicalName("mysql", "user"), all.map("mysql", "user"));
        assertEquals(new LogicalName("__gbinlog", "ddl_log"), all.map("__gbinlog", "ddl_log"));
        assertEquals("__gbinlog", all.mapSchema("__gbinlog"));
        assertEquals("sys", all.mapSchema("sys"));
    }

    @Test
    void schemasMapThroughWildcardRulesOnly() {
        assertEquals("shop", names.mapSchema("shop_p3"));
        assertEquals("log", names.mapSchema("log"), "the log rule names one table, not the schema");
        assertEquals("other", names.mapSchema("other"));
    }

    @Test
    void repeatedLookupsAreCached() {
        assertSame(names.map("shop_p0", "orders_00"), names.map("shop_p0", "orders_00"));
        assertSame(names.map("x", "y"), names.map("x", "y"));
    }

    @Test
    void identity() {
        assertTrue(NameMapping.identity().isIdentity());
        assertTrue(NameMapping.of(List.of()).isIdentity());
        assertFalse(names.isIdentity());
        assertEquals(new LogicalName("shop_p0", "orders_00"), NameMapping.identity().map("shop_p0", "orders_00"));
        assertEquals("shop_p0", NameMapping.identity().mapSchema("shop_p0"));
    }

    @Test
    void badRulesSayWhichPartAndWhy() {
        bad(new NameMapping.Rule("shop", "a.b"), "physical", "not db.table");
        bad(new NameMapping.Rule("a.b.c", "a.b"), "physical", "exactly one dot");
        bad(new NameMapping.Rule(null, "a.b"), "physical", "required");
        bad(new NameMapping.Rule("a.b", ""), "logical", "required");
        bad(new NameMapping.Rule("*.b", "a.b"), "physical", "whole table name");
        bad(new NameMapping.Rule("a.b*", "a.b"), "physical", "whole table name");
        bad(new NameMapping.Rule("a{x}.b", "a.b"), "physical", "only {n}");
        bad(new NameMapping.Rule("a.*", "a.b"), "logical", "must be *");
        bad(new NameMapping.Rule("a.b", "a.*"), "logical", "only when");
        bad(new NameMapping.Rule("a{n}.b", "a{n}.b"), "logical", "plain");
    }

    private static void bad(NameMapping.Rule rule, String part, String problem) {
        NameMapping.InvalidRuleException e = assertThrows(NameMapping.InvalidRuleException.class,
                () -> NameMapping.of(List.of(new NameMapping.Rule("ok.ok", "ok.ok"), rule)));
        assertEquals(1, e.index());
        assertEquals(part, e.part());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }
}
