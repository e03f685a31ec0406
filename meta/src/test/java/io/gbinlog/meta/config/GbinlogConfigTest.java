package io.gbinlog.meta.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.gbinlog.meta.schema.LogicalName;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GbinlogConfigTest {
    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        return Files.writeString(dir.resolve("gbinlog.yaml"), yaml);
    }

    @Test
    void readsTheDocumentedKeys() throws IOException {
        GbinlogConfig c = GbinlogConfig.load(write("""
                dataNodes:
                  - {id: dn0, host: 127.0.0.1, port: 3311, user: root, password: ""}
                  - {id: dn1, host: 127.0.0.1, port: 3312, user: root}
                tso: {listen: 127.0.0.1:8307}
                storage: {dir: ./data}
                collector: {probeIntervalMs: 20, ringSize: 1024}
                binlog: {maxFileSize: 64M, fsync: transaction, serverId: 7, checkpointIntervalMs: 500}
                dumper: {listen: 127.0.0.1:8306}
                users: [{name: gbinlog, password: secret}]
                """));
        assertEquals(20, c.collector().probeIntervalMs());
        assertEquals(1024, c.collector().ringSize());
        assertEquals(64L << 20, c.binlog().maxFileSizeBytes());
        assertEquals("transaction", c.binlog().fsync());
        assertEquals(7, c.binlog().serverId());
        assertEquals(500, c.binlog().checkpointIntervalMs());
        assertEquals(dir.resolve("data").resolve("binlog").normalize(), c.storage().binlogDir().normalize());
        assertEquals(2, c.dataNodes().size());
        assertEquals(3312, c.dataNodes().get(1).port());
        assertEquals(new HostPort("127.0.0.1", 8307), c.requireTsoListen());
        assertNull(c.tso().address());
        assertEquals(dir.resolve("data").normalize(), c.storage().dir().normalize());
        assertEquals(dir.resolve("data").resolve("tso.lease").normalize(), c.storage().tsoLeaseFile().normalize());
        assertEquals(8306, c.dumper().listen().port());
        assertEquals(Map.of("gbinlog", "secret"), c.userPasswords());
    }

    @Test
    void storageDefaultsToDataBesideTheFile() throws IOException {
        GbinlogConfig c = GbinlogConfig.load(write("tso: {listen: 127.0.0.1:0}\n"));
        assertEquals(dir.resolve("data"), c.storage().dir());
    }

    @Test
    void pipelineSettingsHaveDefaults() throws IOException {
        GbinlogConfig c = GbinlogConfig.load(write("binlog: {fsync: never}\n"));
        assertEquals(50, c.collector().probeIntervalMs());
        assertEquals(4096, c.collector().ringSize());
        assertEquals(1L << 30, c.binlog().maxFileSizeBytes());
        assertEquals("never", c.binlog().fsync());
        assertEquals(1, c.binlog().serverId());
        assertEquals(1000, c.binlog().checkpointIntervalMs());
    }

    @Test
    void errorsNameTheSetting() throws IOException {
        assertMessage("tso: {listen: nonsense}", "tso.listen", "expected host:port");
        assertMessage("tso: {listen: 127.0.0.1:70000}", "tso.listen", "0..65535");
        assertMessage("tso: {lisen: 127.0.0.1:1}", "tso.lisen", "unknown setting");
        assertMessage("dataNodes: [{id: a, host: h, port: 1, user: u}, {id: a, host: h, port: 2, user: u}]",
                "dataNodes[1].id", "used by another");
        assertMessage("dataNodes: [{id: a, host: h, user: u}]", "dataNodes[0].port", "required");
        assertMessage("tso: {listen: 127.0.0.1:1, address: 127.0.0.1:2}", "tso", "not both");
        assertMessage("users: [{name: a}, {name: a}]", "users[1].name", "twice");
        assertMessage("tso: {listen: 127.0.0.1:1\n", "", "not valid YAML");
        assertMessage("tso: [1]", "tso", "Cannot deserialize");
        assertMessage("dataNodes: [{id: 'a,b', host: h, port: 1, user: u}]", "dataNodes[0].id", "[A-Za-z0-9_-]");
        assertMessage("collector: {ringSize: 1000}", "collector.ringSize", "power of two");
        assertMessage("collector: {probeIntervalMs: 0}", "collector.probeIntervalMs", "outside 1..60000");
        assertMessage("collector: {spillThreshold: lots}", "collector.spillThreshold", "not a size");
        assertMessage("collector: {spillThreshold: 1K}", "collector.spillThreshold", "outside 65536..1073741824");
        assertMessage("binlog: {maxFileSize: 12X}", "binlog.maxFileSize", "not a size");
        assertMessage("binlog: {maxFileSize: 2G}", "binlog.maxFileSize", "outside 4096..1073741824");
        assertMessage("binlog: {fsync: sometimes}", "binlog.fsync", "[transaction, batch, never]");
        assertMessage("binlog: {serverId: 0}", "binlog.serverId", "outside 1..4294967295");
        assertMessage("logicalNames: [{physical: 'a.b', logical: a.b}, {physical: shop, logical: s.t}]",
                "logicalNames[1].physical", "not db.table");
        assertMessage("logicalNames: [{physical: 'a{n}.*', logical: a.b}]", "logicalNames[0].logical", "must be *");
        assertMessage("logicalNames: [{physical: 'a.b', logical: a.b, extra: 1}]", "logicalNames[0].extra",
                "unknown setting");
    }

    @Test
    void logicalNamesMapShardsAndDefaultToIdentity() throws IOException {
        GbinlogConfig c = GbinlogConfig.load(write("""
                logicalNames:
                  - {physical: "shop_p{n}.orders_{n}", logical: shop.orders}
                  - {physical: "shop_p{n}.*", logical: "shop.*"}
                """));
        assertEquals(new LogicalName("shop", "orders"), c.names().map("shop_p1", "orders_03"));
        assertEquals(new LogicalName("shop", "items"), c.names().map("shop_p1", "items"));
        assertTrue(GbinlogConfig.load(write("binlog: {fsync: never}\n")).names().isIdentity());
    }

    @Test
    void missingTsoListenNamesTheSetting() throws IOException {
        GbinlogConfig c = GbinlogConfig.load(write("storage: {dir: x}\n"));
        ConfigException e = assertThrows(ConfigException.class, c::requireTsoListen);
        assertTrue(e.getMessage().startsWith("tso.listen"), e.getMessage());
    }

    @Test
    void missingFileIsReported() {
        ConfigException e = assertThrows(ConfigException.class, () -> GbinlogConfig.load(dir.resolve("nope.yaml")));
        assertTrue(e.getMessage().contains("nope.yaml: configuration file not found"), e.getMessage());
    }

    private void assertMessage(String yaml, String key, String problem) throws IOException {
        Path file = write(yaml);
        ConfigException e = assertThrows(ConfigException.class, () -> GbinlogConfig.load(file));
        assertTrue(e.getMessage().contains(file + ": " + key), e.getMessage());
        assertTrue(e.getMessage().contains(problem), e.getMessage());
    }
}
