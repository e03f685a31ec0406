package io.gbinlog.integration.coordinator;

import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.meta.tso.JdbcTsoClient;
import io.gbinlog.meta.tso.TsoClient;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The reference coordinator: runs transactions over the data nodes exactly as the design's cluster
 * contract says (XA on every participant, a TSO timestamp after every prepare, the commit_log row on the
 * primary as the decision, then XA COMMIT; single-node transactions as plain BEGIN ... COMMIT).
 *
 * <p>Schema changes go through {@link #ddl}, which runs a logical DDL by the DDL protocol and is a barrier for this
 * coordinator's transactions.
 *
 * <p>Thread-safe; each thread works through its own {@link CoordinatorSession}.
 */
public final class Coordinator {

    private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    /** The comment in front of each physical DDL; the collector recognises it (design §2, docs/cluster-protocol.md). */
    private static final String DDL_MARKER = "/* gbinlog ddl_id=%d */ ";
    /** Longer than any statement of a transaction can last (the connections' socket timeout). */
    private static final Duration DDL_BARRIER_WAIT = Duration.ofSeconds(150);

    private final String id;
    private final Map<String, Node> nodes;
    private final Supplier<TsoClient> tso;
    private final int lockWaitTimeoutSeconds;
    private final AtomicLong sequence = new AtomicLong();
    private final DdlBarrier barrier = new DdlBarrier();

    private Coordinator(Builder builder) {
        this.id = builder.id != null ? builder.id : randomId();
        this.nodes = Collections.unmodifiableMap(new LinkedHashMap<>(builder.nodes));
        this.tso = builder.tso;
        this.lockWaitTimeoutSeconds = builder.lockWaitTimeoutSeconds;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Part of every gtrid this coordinator writes; random by default so restarts never reuse a gtrid. */
    public String id() {
        return id;
    }

    /** The data nodes, in the order they were given to the builder. */
    public List<String> nodeIds() {
        return List.copyOf(nodes.keySet());
    }

    /** A session with its own connections; use it from one thread at a time and close it. */
    public CoordinatorSession openSession() {
        return new CoordinatorSession(this);
    }

    /** Settles branches left prepared by coordinators that died. */
    public Recovery recovery() {
        return new Recovery(this);
    }

    /**
     * Runs a logical DDL by the DDL protocol (docs/cluster-protocol.md): waits until no transaction of this coordinator
     * is in flight and admits none until it is done; takes {@code N = TSO_TIMESTAMP()}; runs each physical DDL on its
     * data node as {@code /* gbinlog ddl_id=N *}{@code / <statement>}, in the nodes' order, with no default database
     * (qualify the names); then inserts {@code (N, logicalSchema, logicalDdl)} into {@code __gbinlog.ddl_log} on every
     * data node in one distributed transaction. Never call it from a thread with an open transaction of this
     * coordinator: it would wait for that transaction for ever.
     *
     * @param logicalSchema  the default database of {@code logicalDdl}, as consumers will see it; "" for none
     * @param physicalByNode per data node, the statements that carry out the logical DDL there (a node may have none,
     *                       it still gets the ddl_log row)
     * @throws TransactionAbortedException when the ddl_log transaction was rolled back: the physical DDLs ran but the
     *                                     logical DDL is not recorded; the message says which ran
     * @throws OutcomeUnknownException     when the ddl_log transaction is left to {@link Recovery}
     */
    public DdlResult ddl(String logicalSchema, String logicalDdl, Map<String, List<String>> physicalByNode)
            throws SQLException {
        Map<String, Physical> physical = new LinkedHashMap<>();
        for (String node : nodes.keySet()) {
            List<String> statements = physicalByNode.get(node);
            if (statements != null && !statements.isEmpty()) {
                physical.put(node, new Physical(null, statements));
            }
        }
        for (String node : physicalByNode.keySet()) {
            requireNode(node);
        }
        return runDdl(logicalSchema, logicalDdl, physical);
    }

    /**
     * {@link #ddl(String, String, Map)} where logical and physical names are the same: {@code ddl} runs on every
     * data node with {@code schema} as the default database (none when "").
     */
    public DdlResult ddl(String schema, String ddl) throws SQLException {
        Map<String, Physical> physical = new LinkedHashMap<>();
        for (String node : nodes.keySet()) {
            physical.put(node, new Physical(schema.isEmpty() ? null : schema, List.of(ddl)));
        }
        return runDdl(schema, ddl, physical);
    }

    private DdlResult runDdl(String logicalSchema, String logicalDdl, Map<String, Physical> physical)
            throws SQLException {
        Objects.requireNonNull(logicalSchema, "logicalSchema (\"\" for none)");
        if (logicalSchema.length() > 64) {
            throw new IllegalArgumentException("logicalSchema is longer than 64 characters: '" + logicalSchema + "'");
        }
        if (logicalDdl == null || logicalDdl.isBlank()) {
            throw new IllegalArgumentException("logicalDdl is empty");
        }
        physical.forEach((node, p) -> p.statements().forEach(sql -> {
            if (sql == null || sql.isBlank()) {
                throw new IllegalArgumentException("an empty physical DDL for data node '" + node + "'");
            }
        }));
        try {
            if (!barrier.enterDdl(DDL_BARRIER_WAIT)) {
                throw new SQLException("DDL '" + logicalDdl + "' not run: transactions of coordinator " + id
                        + " were still in flight after " + DDL_BARRIER_WAIT.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for transactions to end before DDL '" + logicalDdl + "'", e);
        }
        try (CoordinatorSession session = openSession()) {
            long ddlId = session.timestamp();
            List<String> ran = new ArrayList<>();
            for (Map.Entry<String, Physical> node : physical.entrySet()) {
                try (Connection connection = connect(node.getKey()); Statement statement = connection.createStatement()) {
                    if (node.getValue().defaultDb() != null) {
                        connection.setCatalog(node.getValue().defaultDb());
                    }
                    for (String sql : node.getValue().statements()) {
                        statement.execute(String.format(DDL_MARKER, ddlId) + sql);
                        ran.add(node.getKey() + ": " + sql);
                    }
                } catch (SQLException e) {
                    throw new SQLException("physical DDL of ddl_id " + ddlId + " failed on " + node.getKey() + ": "
                            + e.getMessage() + (ran.isEmpty() ? "" : "; these ran before it: " + ran)
                            + "; the logical DDL is not recorded", e.getSQLState(), e.getErrorCode(), e);
                }
            }
            try (Transaction ddlLog = session.beginInsideDdl(nodeIds())) {
                for (String node : nodeIds()) {
                    ddlLog.update(node, null, "INSERT INTO __gbinlog.ddl_log (id, schema_name, ddl) VALUES (?, ?, ?)",
                            ddlId, logicalSchema, logicalDdl);
                }
                return new DdlResult(ddlId, ddlLog.commit());
            } catch (TransactionAbortedException e) {
                throw new TransactionAbortedException("the ddl_log transaction of ddl_id " + ddlId + " was rolled back"
                        + " after the physical DDLs " + ran + " ran; the logical DDL is not recorded: "
                        + e.getMessage(), e);
            }
        } finally {
            barrier.leaveDdl();
        }
    }

    DdlBarrier barrier() {
        return barrier;
    }

    Gtrid nextGtrid(List<String> participants) {
        return new Gtrid(id, sequence.incrementAndGet(), participants);
    }

    TsoClient newTsoClient() {
        return tso.get();
    }

    void requireNode(String node) {
        if (!nodes.containsKey(node)) {
            throw new IllegalArgumentException("unknown data node '" + node + "'; this coordinator knows "
                    + nodeIds());
        }
    }

    /** A plain autocommit connection to {@code node}, with the coordinator's lock wait timeout. */
    public Connection connect(String node) throws SQLException {
        requireNode(node);
        Node n = nodes.get(node);
        // Short lock waits: a distributed deadlock is invisible to each node and only a timeout ends it.
        String url = n.jdbcUrl() + (n.jdbcUrl().contains("?") ? "&" : "?")
                + "connectTimeout=5000&socketTimeout=120000"
                + "&sessionVariables=innodb_lock_wait_timeout=" + lockWaitTimeoutSeconds;
        return DriverManager.getConnection(url, n.user(), n.password());
    }

    private static String randomId() {
        SecureRandom random = new SecureRandom();
        StringBuilder id = new StringBuilder(8);
        for (int i = 0; i < 8; i++) {
            id.append(ID_ALPHABET.charAt(random.nextInt(ID_ALPHABET.length())));
        }
        return id.toString();
    }

    private record Node(String jdbcUrl, String user, String password) {
    }

    /** The statements of a DDL on one data node, run with {@code defaultDb} as the default database (null: none). */
    private record Physical(String defaultDb, List<String> statements) {
    }

    public static final class Builder {
        private final Map<String, Node> nodes = new LinkedHashMap<>();
        private Supplier<TsoClient> tso;
        private String id;
        private int lockWaitTimeoutSeconds = 2;

        private Builder() {
        }

        /** A data node, {@code jdbcUrl} like {@code jdbc:mariadb://127.0.0.1:3306/}. */
        public Builder node(String nodeId, String jdbcUrl, String user, String password) {
            Gtrid.requireId("data-node id", nodeId);
            if (nodes.put(nodeId, new Node(jdbcUrl, user, password)) != null) {
                throw new IllegalArgumentException("data node '" + nodeId + "' given twice");
            }
            return this;
        }

        public Builder nodes(Collection<DataNode> dataNodes) {
            for (DataNode n : dataNodes) {
                node(n.id(), n.jdbcUrl(), n.user(), n.password());
            }
            return this;
        }

        /** Where timestamps come from; called once per session. See {@link JdbcTsoClient#factory}. */
        public Builder tso(Supplier<TsoClient> tsoClients) {
            this.tso = Objects.requireNonNull(tsoClients, "tso");
            return this;
        }

        /** The coordinator id in gtrids: 1-32 of [A-Za-z0-9_-]. Default: 8 random characters. */
        public Builder id(String coordinatorId) {
            Gtrid.requireId("coordinator id", coordinatorId);
            this.id = coordinatorId;
            return this;
        }

        /** innodb_lock_wait_timeout of the coordinator's connections, in seconds (1-3600). Default 2. */
        public Builder lockWaitTimeoutSeconds(int seconds) {
            if (seconds < 1 || seconds > 3600) {
                throw new IllegalArgumentException("lockWaitTimeoutSeconds must be 1..3600, got " + seconds);
            }
            this.lockWaitTimeoutSeconds = seconds;
            return this;
        }

        public Coordinator build() {
            if (nodes.isEmpty()) {
                throw new IllegalStateException("a coordinator needs at least one data node");
            }
            if (tso == null) {
                throw new IllegalStateException("a coordinator needs a TSO: call tso(...)");
            }
            return new Coordinator(this);
        }
    }
}
