package io.gbinlog.dumper.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.meta.config.GbinlogConfig;
import io.gbinlog.meta.config.HostPort;
import io.gbinlog.merger.writer.BinlogLogConfig;
import io.gbinlog.merger.writer.GlobalBinlog;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Settings the dumper cannot start with are refused with a message naming the setting. */
class DumperSettingsTest {

    @TempDir
    Path dir;

    private GlobalBinlog log() throws Exception {
        return GlobalBinlog.open(BinlogLogConfig.defaults(dir.resolve("binlog"), 5, UUID.randomUUID()));
    }

    @Test
    void configuredThroughGbinlogConfig() throws Exception {
        Path file = dir.resolve("gbinlog.yaml");
        Files.writeString(file, "dumper:\n  listen: 127.0.0.1:0\nusers:\n  - {name: repl, password: secret}\n");
        try (GlobalBinlog log = log(); Dumper dumper = Dumper.start(log, GbinlogConfig.load(file))) {
            assertTrue(dumper.port() > 0);
            assertEquals(0, dumper.metrics().streamingReplicas());
        }
    }

    @Test
    void missingListenAddressIsNamed() throws Exception {
        Path file = dir.resolve("gbinlog.yaml");
        Files.writeString(file, "users:\n  - {name: repl, password: secret}\n");
        try (GlobalBinlog log = log()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Dumper.start(log, GbinlogConfig.load(file)));
            assertTrue(e.getMessage().startsWith("dumper.listen: required"), e.getMessage());
        }
    }

    @Test
    void noAccountsMeansNoAnonymousAccess() throws Exception {
        try (GlobalBinlog log = log()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Dumper.start(log, HostPort.parse("127.0.0.1:0"), Map.of()));
            assertTrue(e.getMessage().contains("users"), e.getMessage());
        }
    }

    @Test
    void busyPortIsNamed() throws Exception {
        try (GlobalBinlog log = log(); Dumper first = Dumper.start(log, HostPort.parse("127.0.0.1:0"), Map.of("a", "b"))) {
            UncheckedIOException e = assertThrows(UncheckedIOException.class,
                    () -> Dumper.start(log, HostPort.parse("127.0.0.1:" + first.port()), Map.of("a", "b")));
            assertTrue(e.getMessage().contains("127.0.0.1:" + first.port()), e.getMessage());
        }
    }
}
