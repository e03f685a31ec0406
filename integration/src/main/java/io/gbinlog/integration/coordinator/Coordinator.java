package io.gbinlog.integration.coordinator;

import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.meta.tso.JdbcTsoClient;
import io.gbinlog.meta.tso.TsoClient;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
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
 * <p>Thread-safe; each thread works through its own {@link CoordinatorSession}.
 */
public final class Coordinator {

    private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    private final String id;
    private final Map<String, Node> nodes;
    private final Supplier<TsoClient> tso;
    private final int lockWaitTimeoutSeconds;
    private final AtomicLong sequence = new AtomicLong();

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
