package io.gbinlog.meta.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.gbinlog.meta.schema.NameMapping;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The whole configuration of one gbinlog server, read from a YAML file. Every key is documented in
 * {@code docs/configuration.md}. Relative paths are resolved against the directory of the file.
 */
public record GbinlogConfig(
        List<DataNode> dataNodes,
        Tso tso,
        Storage storage,
        Collector collector,
        Binlog binlog,
        Dumper dumper,
        List<User> users,
        List<NameMapping.Rule> logicalNames) {

    /** One data node the collectors read as a replica. */
    public record DataNode(String id, String host, Integer port, String user, String password) {
    }

    /**
     * Serve the TSO ({@code listen}) or use an external one ({@code address}); {@code user} and {@code password}
     * are the account gbinlog's own probes use on an external TSO.
     */
    public record Tso(HostPort listen, HostPort address, String user, String password) {
    }

    /** Where gbinlog keeps its files: the global binlog under {@code <dir>/binlog/}, the TSO lease, checkpoints. */
    public record Storage(Path dir) {
        public Path tsoLeaseFile() {
            return dir.resolve("tso.lease");
        }

        /** The global binlog files, their index and per-file lookup indexes. */
        public Path binlogDir() {
            return dir.resolve("binlog");
        }

        /** The schema history (a RocksDB store). */
        public Path schemaDir() {
            return dir.resolve("schema");
        }
    }

    /**
     * How the data nodes are read.
     *
     * @param probeIntervalMs how often each data node is probed (TSO, then SHOW MASTER STATUS): the latency of an
     *                        idle cluster's global binlog
     * @param ringSize        events buffered between one collector and the merger; a full ring holds the collector
     * @param spillThreshold  a transaction holding more event bytes than this keeps them in a file under
     *                        {@code storage.dir/spill} instead of the heap: bytes, or with a K, M or G suffix
     */
    public record Collector(Integer probeIntervalMs, Integer ringSize, String spillThreshold) {
        public Collector {
            probeIntervalMs = probeIntervalMs == null ? 50 : probeIntervalMs;
            ringSize = ringSize == null ? 4096 : ringSize;
            spillThreshold = spillThreshold == null ? "4M" : spillThreshold;
        }

        /** {@link #spillThreshold} in bytes; valid after {@link GbinlogConfig#load}. */
        public long spillThresholdBytes() {
            return parseSize(spillThreshold);
        }
    }

    /**
     * The global binlog files.
     *
     * @param maxFileSize          rotate after this size: bytes, or with a K, M or G suffix
     * @param fsync                {@code transaction}, {@code batch} (one fsync per batch of transactions) or
     *                             {@code never} (the OS decides; a machine crash loses the tail)
     * @param serverId             server_id in the events, as replicas see it
     * @param checkpointIntervalMs how often the restart checkpoint is written
     */
    public record Binlog(String maxFileSize, String fsync, Long serverId, Integer checkpointIntervalMs) {
        public Binlog {
            maxFileSize = maxFileSize == null ? "1G" : maxFileSize;
            fsync = fsync == null ? "batch" : fsync;
            serverId = serverId == null ? 1L : serverId;
            checkpointIntervalMs = checkpointIntervalMs == null ? 1000 : checkpointIntervalMs;
        }

        /** {@link #maxFileSize} in bytes; valid after {@link GbinlogConfig#load}. */
        public long maxFileSizeBytes() {
            return parseSize(maxFileSize);
        }
    }

    /** Where replicas connect. */
    public record Dumper(HostPort listen) {
    }

    /** An account allowed to connect to the TSO server and the dumper. */
    public record User(String name, String password) {
    }

    /** Values of {@code binlog.fsync}. */
    public static final List<String> FSYNC_POLICIES = List.of("transaction", "batch", "never");
    private static final Pattern DATA_NODE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

    public GbinlogConfig {
        dataNodes = dataNodes == null ? List.of() : List.copyOf(dataNodes);
        users = users == null ? List.of() : List.copyOf(users);
        logicalNames = logicalNames == null ? List.of() : List.copyOf(logicalNames);
        storage = storage == null || storage.dir() == null ? new Storage(Path.of("data")) : storage;
        collector = collector == null ? new Collector(null, null, null) : collector;
        binlog = binlog == null ? new Binlog(null, null, null, null) : binlog;
    }

    /** Reads and checks {@code file}; every problem is reported with the file and the key it concerns. */
    public static GbinlogConfig load(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file + ": configuration file not found");
        }
        GbinlogConfig raw;
        try {
            raw = YAML.readValue(file.toFile(), GbinlogConfig.class);
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof StreamReadException syntax) {
                throw new ConfigException(file + ": not valid YAML: " + syntax.getMessage(), e);
            }
            throw new ConfigException(file + ": " + keyPath(e) + ": " + rootMessage(e), e);
        } catch (JsonProcessingException e) {
            throw new ConfigException(file + ": not valid YAML: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
        }
        if (raw == null) {
            throw new ConfigException(file + ": the file is empty");
        }
        Path base = file.toAbsolutePath().getParent();
        GbinlogConfig config = new GbinlogConfig(raw.dataNodes, raw.tso, new Storage(base.resolve(raw.storage.dir())),
                raw.collector, raw.binlog, raw.dumper, raw.users, raw.logicalNames);
        config.check(file);
        return config;
    }

    private void check(Path file) {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < dataNodes.size(); i++) {
            DataNode dn = dataNodes.get(i);
            String at = file + ": dataNodes[" + i + "]";
            if (dn.id() == null || dn.id().isBlank()) {
                throw new ConfigException(at + ".id: required");
            }
            if (!DATA_NODE_ID.matcher(dn.id()).matches()) {
                throw new ConfigException(at + ".id: '" + dn.id() + "' must be 1-64 of [A-Za-z0-9_-] (it is written"
                        + " into __gbinlog.commit_log participants and into the global binlog)");
            }
            if (!ids.add(dn.id())) {
                throw new ConfigException(at + ".id: '" + dn.id() + "' is used by another data node");
            }
            if (dn.host() == null || dn.host().isBlank()) {
                throw new ConfigException(at + ".host: required");
            }
            if (dn.port() == null || dn.port() < 1 || dn.port() > 65535) {
                throw new ConfigException(at + ".port: required, 1..65535");
            }
            if (dn.user() == null || dn.user().isBlank()) {
                throw new ConfigException(at + ".user: required");
            }
        }
        if (tso != null && tso.listen() != null && tso.address() != null) {
            throw new ConfigException(file + ": tso: set either listen (serve the TSO here) or address"
                    + " (use an external TSO), not both");
        }
        range(file, "collector.probeIntervalMs", collector.probeIntervalMs(), 1, 60_000);
        range(file, "collector.ringSize", collector.ringSize(), 64, 1 << 20);
        if (Integer.bitCount(collector.ringSize()) != 1) {
            throw new ConfigException(file + ": collector.ringSize: " + collector.ringSize() + " is not a power of two");
        }
        long spill;
        try {
            spill = parseSize(collector.spillThreshold());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": collector.spillThreshold: " + e.getMessage());
        }
        range(file, "collector.spillThreshold", spill, 64 * 1024, 1L << 30);
        long size;
        try {
            size = parseSize(binlog.maxFileSize());
        } catch (IllegalArgumentException e) {
            throw new ConfigException(file + ": binlog.maxFileSize: " + e.getMessage());
        }
        range(file, "binlog.maxFileSize", size, 4096, 1L << 30);
        if (!FSYNC_POLICIES.contains(binlog.fsync())) {
            throw new ConfigException(file + ": binlog.fsync: '" + binlog.fsync() + "' is not one of " + FSYNC_POLICIES);
        }
        range(file, "binlog.serverId", binlog.serverId(), 1, 0xFFFF_FFFFL);
        range(file, "binlog.checkpointIntervalMs", binlog.checkpointIntervalMs(), 10, 3_600_000);
        Set<String> names = new HashSet<>();
        for (int i = 0; i < users.size(); i++) {
            User u = users.get(i);
            if (u.name() == null || u.name().isBlank()) {
                throw new ConfigException(file + ": users[" + i + "].name: required");
            }
            if (!names.add(u.name())) {
                throw new ConfigException(file + ": users[" + i + "].name: '" + u.name() + "' is listed twice");
            }
        }
        try {
            names();
        } catch (NameMapping.InvalidRuleException e) {
            throw new ConfigException(file + ": logicalNames[" + e.index() + "]." + e.part() + ": " + e.getMessage());
        }
    }

    private static void range(Path file, String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new ConfigException(file + ": " + key + ": " + value + " is outside " + min + ".." + max);
        }
    }

    /** A size in bytes: a number with an optional K, M or G suffix (powers of 1024). */
    static long parseSize(String text) {
        String t = text.strip();
        long unit = 1;
        char last = t.isEmpty() ? ' ' : Character.toUpperCase(t.charAt(t.length() - 1));
        if (last == 'K' || last == 'M' || last == 'G') {
            unit = last == 'K' ? 1L << 10 : last == 'M' ? 1L << 20 : 1L << 30;
            t = t.substring(0, t.length() - 1).strip();
        }
        try {
            long n = Long.parseLong(t);
            if (n < 0 || n > Long.MAX_VALUE / unit) {
                throw new NumberFormatException();
            }
            return n * unit;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a size (bytes, or a number with K, M or G)");
        }
    }

    /** The configured accounts as name → password (a missing password is the empty one). */
    public Map<String, String> userPasswords() {
        return users.stream().collect(Collectors.toUnmodifiableMap(User::name,
                u -> u.password() == null ? "" : u.password()));
    }

    /** The physical → logical name mapping of {@code logicalNames}; compiles the rules, so build it once. */
    public NameMapping names() {
        return NameMapping.of(logicalNames);
    }

    /** The TSO listen address, or a clear error naming the setting when it is missing. */
    public HostPort requireTsoListen() {
        if (tso == null || tso.listen() == null) {
            throw new ConfigException("tso.listen: required to serve the TSO (e.g. tso: {listen: 127.0.0.1:8307})");
        }
        return tso.listen();
    }

    private static String keyPath(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "(top level)" : path.toString();
    }

    private static String rootMessage(JsonMappingException e) {
        if (e instanceof com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException u) {
            return "unknown setting (known here: " + u.getKnownPropertyIds() + ")";
        }
        Throwable t = e;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t == e ? e.getOriginalMessage() : t.getMessage();
    }
}
