package io.gbinlog.collector.source;

import com.github.shyiko.mysql.binlog.BinaryLogClient;
import com.github.shyiko.mysql.binlog.event.Event;
import com.github.shyiko.mysql.binlog.network.ServerException;
import io.gbinlog.collector.capture.BinlogCoordinates;
import io.gbinlog.collector.capture.CaptureDeserializer;
import io.gbinlog.collector.capture.CaptureListener;
import io.gbinlog.collector.capture.ProbeQueue;
import io.gbinlog.collector.capture.SpillDirectory;
import io.gbinlog.collector.capture.TransactionAssembler;
import io.gbinlog.collector.node.DataNodes;
import io.gbinlog.collector.node.NodeSettings;
import io.gbinlog.collector.node.SettingsCheck;
import io.gbinlog.collector.node.SettingsException;
import io.gbinlog.collector.probe.Prober;
import io.gbinlog.meta.tso.JdbcTsoClient;
import io.gbinlog.meta.tso.TsoClient;
import io.gbinlog.meta.config.GbinlogConfig.DataNode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.Socket;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The collector of one data node: a replica connection (mysql-binlog-connector-java) that follows the data
 * node's binlog and hands every complete event group to a {@link CaptureListener}, from one thread, in binlog
 * order; and, when given a TSO, the {@link Prober} whose probes it releases as the stream advances.
 *
 * <p>A dropped connection or a restarted data node is reconnected with exponential backoff, after the settings
 * check again, at the start of the first group not yet delivered: nothing is lost, nothing delivered twice.
 * What cannot be fixed by reconnecting (settings, a binlog position that was purged, a binlog the collector
 * cannot read) stops the collector and is reported to {@link Builder#onFailure}.
 *
 * <pre>{@code
 * ReplicaCollector dn1 = ReplicaCollector.builder(dataNode, 1, listener)
 *         .startAt(new BinlogCoordinates("mariadb-bin.000003", 1234))
 *         .probe(new JdbcTsoClient("127.0.0.1", 8307, "gbinlog", "pw"), Duration.ofMillis(50))
 *         .start();
 * }</pre>
 */
public final class ReplicaCollector implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ReplicaCollector.class);

    /** ER_MASTER_FATAL_ERROR_READING_BINLOG: the position is gone (purged) or another replica took our id. */
    private static final int FATAL_BINLOG_ERROR = 1236;
    /** One server id for every collector of this process, far above the small ids data nodes use. */
    private static final long PROCESS_SERVER_ID = (1L << 31) + new SecureRandom().nextInt(1 << 30);

    private final DataNode dn;
    private final String label;
    private final long serverId;
    private final NodeSettings identity;
    private final Builder config;
    private final ProbeQueue probes = new ProbeQueue();
    private final TransactionAssembler assembler;
    private final BinaryLogClient client;
    private final Thread thread;
    private final AtomicLong reconnects = new AtomicLong();
    private volatile Prober prober;

    private volatile boolean running = true;
    private volatile Throwable failure;
    /** Why the current connection ended, as the connector reported it. */
    private volatile Exception connectionFailure;
    private long eventsThisConnection;

    private ReplicaCollector(Builder b, NodeSettings identity, BinlogCoordinates start) {
        this.dn = b.dn;
        this.label = DataNodes.label(b.dn);
        this.serverId = b.serverId;
        this.identity = identity;
        this.config = b;
        this.assembler = new TransactionAssembler(b.stream, label, b.listener, probes, b.spill);
        this.assembler.startAt(start);
        this.client = newClient(b);
        this.thread = new Thread(this::run, "gbinlog-collector-" + b.dn.id());
    }

    public static Builder builder(DataNode dn, int stream, CaptureListener listener) {
        return new Builder(dn, stream, listener);
    }

    /** The probes waiting for this stream; a prober started elsewhere adds to it. */
    public ProbeQueue probes() {
        return probes;
    }

    /** The server id this collector's replica connection uses. */
    public long serverId() {
        return serverId;
    }

    /** How often the replica connection was re-established. */
    public long reconnects() {
        return reconnects.get();
    }

    /** Why the collector stopped; null while it runs (or was closed). */
    public Throwable failure() {
        return failure;
    }

    private BinaryLogClient newClient(Builder b) {
        BinaryLogClient c = new BinaryLogClient(b.dn.host(), b.dn.port(), b.dn.user(),
                b.dn.password() == null ? "" : b.dn.password());
        c.setServerId(serverId);
        c.setKeepAlive(false); // its reconnect would resume mid-group; ours resumes at a group start
        c.setHeartbeatInterval(b.heartbeat().toMillis());
        c.setUseSendAnnotateRowsEvent(true);
        c.setConnectTimeout(b.readTimeout.toMillis());
        c.setEventDeserializer(CaptureDeserializer.create());
        int readTimeout = (int) b.readTimeout.toMillis();
        // Heartbeats arrive every heartbeat interval on an idle stream: silence this long is a dead connection.
        c.setSocketFactory(() -> {
            Socket socket = new Socket();
            socket.setSoTimeout(readTimeout);
            return socket;
        });
        c.registerEventListener(this::onEvent);
        c.registerLifecycleListener(new BinaryLogClient.AbstractLifecycleListener() {
            @Override
            public void onCommunicationFailure(BinaryLogClient client, Exception ex) {
                connectionFailure = ex;
            }

            @Override
            public void onEventDeserializationFailure(BinaryLogClient client, Exception ex) {
                // The connector would skip the event and read on: never skip, drop the connection instead.
                Throwable cause = ex.getCause() != null ? ex.getCause() : ex;
                if (cause instanceof IOException) {
                    connectionFailure = ex;
                } else {
                    failure = new IOException(label + ": cannot decode an event after " + assembler.resumePosition()
                            + ": " + ex, ex);
                }
                disconnectQuietly();
            }
        });
        return c;
    }

    private void onEvent(Event event) {
        if (failure != null || !running) {
            return;
        }
        try {
            assembler.accept(event);
            eventsThisConnection++;
        } catch (Throwable t) { // the connector would only log it and read on
            failure = t;
            disconnectQuietly();
        }
    }

    private void run() {
        long backoff = config.minBackoff.toMillis();
        boolean first = true;
        while (running) {
            Exception ended = null;
            eventsThisConnection = 0;
            try {
                if (!first) {
                    try (Connection c = DataNodes.connect(dn)) {
                        checkIdentity(SettingsCheck.checkNode(c, dn, serverId));
                    }
                }
                BinlogCoordinates from = assembler.resumePosition();
                assembler.startAt(from);
                client.setBinlogFilename(from.file());
                client.setBinlogPosition(from.offset());
                connectionFailure = null;
                if (!first) {
                    log.info("{}: reconnecting at {}", label, from);
                }
                first = false;
                client.connect(); // returns when the connection ends
                ended = connectionFailure;
            } catch (SettingsException e) {
                failure = e;
            } catch (IOException | SQLException e) {
                ended = e;
            } catch (RuntimeException e) {
                failure = e;
            }
            if (!running) {
                break;
            }
            if (failure == null && ended instanceof ServerException se && se.getErrorCode() == FATAL_BINLOG_ERROR) {
                failure = new IOException(label + ": the data node cannot send its binlog from "
                        + assembler.resumePosition() + ": " + se.getMessage(), se);
            }
            if (failure != null) {
                fail();
                return;
            }
            if (eventsThisConnection > 0) {
                backoff = config.minBackoff.toMillis();
            }
            reconnects.incrementAndGet();
            log.warn("{}: replica connection ended ({}); reconnecting in {} ms at {}", label, why(ended), backoff,
                    assembler.resumePosition());
            sleep(backoff);
            backoff = Math.min(config.maxBackoff.toMillis(), backoff * 2);
        }
    }

    private static String why(Exception ended) {
        if (ended == null) {
            return "closed by the data node";
        }
        Throwable root = ended;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == ended ? ended.toString() : ended.getClass().getSimpleName() + " caused by " + root;
    }

    private void checkIdentity(NodeSettings now) {
        if (!now.sameIdentity(identity)) {
            throw new SettingsException(List.of(label + ": the data node now has server_id "
                    + now.serverId() + " and gtid_domain_id " + now.gtidDomainId() + " but had " + identity.serverId()
                    + " and " + identity.gtidDomainId() + " when gbinlog started; restore them, or restart gbinlog so it"
                    + " checks the cluster again"));
        }
    }

    private void fail() {
        running = false;
        log.error("{}: collector stopped: {}", label, failure.toString());
        if (prober != null) {
            prober.close();
        }
        config.onFailure.accept(failure);
    }

    private void sleep(long millis) {
        long deadline = System.nanoTime() + millis * 1_000_000;
        long left;
        while (running && (left = deadline - System.nanoTime()) > 0) {
            LockSupport.parkNanos(this, left);
        }
    }

    private void disconnectQuietly() {
        try {
            client.disconnect();
        } catch (IOException e) {
            log.debug("{}: disconnect: {}", label, e.toString());
        }
    }

    /** Stops probing and reading; returns once the collector's thread has ended. Listener calls stop before. */
    @Override
    public void close() {
        running = false;
        if (prober != null) {
            prober.close();
        }
        while (thread.isAlive()) {
            disconnectQuietly(); // repeated: a connect may have begun just as we stopped
            LockSupport.unpark(thread);
            try {
                thread.join(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    public static final class Builder {
        private final DataNode dn;
        private final int stream;
        private final CaptureListener listener;
        private long serverId = PROCESS_SERVER_ID;
        private BinlogCoordinates start;
        private NodeSettings identity;
        private Duration heartbeat;
        private Duration readTimeout = Duration.ofSeconds(10);
        private Duration minBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(5);
        private TsoClient tso;
        private Duration probeInterval = Duration.ofMillis(50);
        private Consumer<Throwable> onFailure = t -> { };
        private SpillDirectory spill;

        private Builder(DataNode dn, int stream, CaptureListener listener) {
            this.dn = Objects.requireNonNull(dn, "dn");
            this.stream = stream;
            this.listener = Objects.requireNonNull(listener, "listener");
        }

        /**
         * The server id of the replica connection: unique among the replicas of the data node (a second replica
         * with the same id makes the data node drop the first). Default: one random id per process, ≥ 2^31.
         */
        public Builder serverId(long id) {
            if (id < 1 || id > 0xFFFF_FFFFL) {
                throw new IllegalArgumentException("replica server id must be in 1..4294967295, got " + id);
            }
            this.serverId = id;
            return this;
        }

        /** Start at an event-group boundary (a restart position); default: the binlog's current end. */
        public Builder startAt(BinlogCoordinates start) {
            this.start = start;
            return this;
        }

        /**
         * The data node as {@link SettingsCheck#checkCluster} found it: the collector refuses to go on after a
         * reconnect if its identity changed. Default: as found when {@link #start()} checks it.
         */
        public Builder identity(NodeSettings identity) {
            this.identity = identity;
            return this;
        }

        /** Probe with this TSO every {@code interval} (default 50 ms); the collector owns and closes {@code tso}. */
        public Builder probe(TsoClient tso, Duration interval) {
            this.tso = Objects.requireNonNull(tso, "tso");
            this.probeInterval = interval;
            return this;
        }

        /**
         * How often an idle data node sends a heartbeat, which is when probes of an idle stream are released.
         * Default: the probe interval, or 1 s without probes.
         */
        public Builder heartbeat(Duration interval) {
            this.heartbeat = interval;
            return this;
        }

        /** No event nor heartbeat for this long means the connection is dead: reconnect. Default 10 s. */
        public Builder readTimeout(Duration timeout) {
            this.readTimeout = timeout;
            return this;
        }

        /** Waits between reconnect attempts: from {@code min}, doubling up to {@code max}. Default 100 ms .. 5 s. */
        public Builder reconnectBackoff(Duration min, Duration max) {
            if (min.isNegative() || min.isZero() || max.compareTo(min) < 0) {
                throw new IllegalArgumentException("reconnect backoff needs 0 < min <= max, got " + min + ", " + max);
            }
            this.minBackoff = min;
            this.maxBackoff = max;
            return this;
        }

        /** Transactions larger than its threshold keep their events in files there. Default: always in memory. */
        public Builder spill(SpillDirectory spill) {
            this.spill = spill;
            return this;
        }

        /** Told, from the collector's thread, why the collector stopped for good. */
        public Builder onFailure(Consumer<Throwable> onFailure) {
            this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
            return this;
        }

        Duration heartbeat() {
            return heartbeat != null ? heartbeat : tso != null ? probeInterval : Duration.ofSeconds(1);
        }

        /**
         * Checks the data node's settings, then starts following its binlog (and probing it) in the background.
         *
         * @throws SettingsException when the data node is not set up as gbinlog needs
         * @throws SQLException      when it cannot be reached
         */
        public ReplicaCollector start() throws SQLException {
            if (heartbeat().compareTo(readTimeout) >= 0) {
                throw new IllegalArgumentException("heartbeat " + heartbeat() + " must be shorter than the read timeout "
                        + readTimeout);
            }
            NodeSettings found;
            BinlogCoordinates from = start;
            try (Connection c = DataNodes.connect(dn)) {
                found = SettingsCheck.checkNode(c, dn, serverId);
                if (from == null) {
                    from = DataNodes.masterStatus(c, dn);
                }
            }
            ReplicaCollector collector = new ReplicaCollector(this, identity != null ? identity : found, from);
            collector.checkIdentity(found);
            collector.thread.start();
            if (tso != null) {
                collector.prober = Prober.start(dn, tso, collector.probes, probeInterval);
            }
            return collector;
        }
    }
}
