package io.gbinlog.collector.probe;

import io.gbinlog.collector.capture.ProbeQueue;
import io.gbinlog.collector.node.DataNodes;
import io.gbinlog.meta.config.GbinlogConfig.DataNode;
import io.gbinlog.meta.tso.TsoClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Probes one data node (design §3, F3) at a fixed interval: {@code X = TSO_TIMESTAMP()}, <em>then</em>
 * {@code SHOW MASTER STATUS} on the data node giving P. Every distributed transaction with a cts below X that
 * touches the data node has its PREPARE before P, so once the stream has been read up to P, X is a watermark
 * candidate. Only reads: an idle cluster advances without writes to its data nodes.
 *
 * <p>One thread; a data node or TSO that cannot be reached is retried at the next interval.
 */
public final class Prober implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Prober.class);

    private final DataNode dn;
    private final TsoClient tso;
    private final ProbeQueue queue;
    private final long intervalNanos;
    private final Thread thread;
    private volatile boolean running = true;
    private Connection connection;
    private boolean failing;

    private Prober(DataNode dn, TsoClient tso, ProbeQueue queue, Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("probe interval must be positive, got " + interval);
        }
        this.dn = dn;
        this.tso = tso;
        this.queue = queue;
        this.intervalNanos = interval.toNanos();
        this.thread = new Thread(this::run, "gbinlog-prober-" + dn.id());
        this.thread.setDaemon(true);
    }

    /** Starts probing {@code dn} into {@code queue}; the prober owns (and closes) {@code tso}. */
    public static Prober start(DataNode dn, TsoClient tso, ProbeQueue queue, Duration interval) {
        Prober prober = new Prober(dn, tso, queue, interval);
        prober.thread.start();
        return prober;
    }

    private void run() {
        long next = System.nanoTime();
        while (running) {
            probeOnce();
            next += intervalNanos;
            long now = System.nanoTime();
            if (next < now) {
                next = now; // after a slow probe, do not try to catch up with a burst
            }
            LockSupport.parkNanos(this, next - now);
        }
        closeConnection();
        tso.close();
    }

    private void probeOnce() {
        try {
            long x = tso.next();
            if (connection == null) {
                connection = DataNodes.connect(dn);
            }
            long p = DataNodes.masterStatus(connection, dn).encoded();
            queue.add(x, p);
            if (failing) {
                failing = false;
                log.info("{}: probing again", DataNodes.label(dn));
            }
        } catch (SQLException | RuntimeException e) {
            closeConnection();
            if (!failing && running) {
                failing = true;
                log.warn("{}: probe failed, retrying every {} ms until it works; its stream cannot advance while idle:"
                        + " {}", DataNodes.label(dn), TimeUnit.NANOSECONDS.toMillis(intervalNanos), e.toString());
            }
        }
    }

    private void closeConnection() {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // unusable either way
            }
            connection = null;
        }
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
