package io.gbinlog.integration.collector;

import static io.gbinlog.integration.collector.CollectorTesting.sql;

import io.gbinlog.integration.cluster.DataNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Writes a seeded mix to one data node until stopped: multi-row local transactions with large rows (so that a
 * cut connection often falls inside a group), single-node XA branches committed with their commit_log row or
 * rolled back, autocommit inserts. Survives the data node going away and coming back.
 */
final class LoadWriter implements AutoCloseable {

    static final String TABLE_SQL = "CREATE TABLE app.load (id BIGINT AUTO_INCREMENT PRIMARY KEY,"
            + " v VARCHAR(40), pad TEXT)";

    private final DataNode node;
    private final Random random;
    private final String xidPrefix;
    private final Thread thread;
    private final AtomicLong committed = new AtomicLong();
    private volatile boolean running = true;
    private Connection c;
    private Connection decisions;
    private long sequence;

    LoadWriter(DataNode node, long seed) {
        this.node = node;
        this.random = new Random(seed);
        this.xidPrefix = "w" + node.id() + "-" + seed + "-";
        this.thread = new Thread(this::run, "load-" + node.id());
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /** Transactions that reached the binlog so far. */
    long committed() {
        return committed.get();
    }

    private void run() {
        while (running) {
            try {
                if (c == null) {
                    c = node.connect();
                    decisions = node.connect();
                }
                writeOne();
            } catch (SQLException e) {
                closeConnections();
                if (running) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50)); // the data node may be restarting
                }
            }
        }
        closeConnections();
    }

    private void writeOne() throws SQLException {
        int op = random.nextInt(100);
        String rows = rows(1 + random.nextInt(20));
        if (op < 55) {
            sql(c, "BEGIN", "INSERT INTO app.load (v, pad) VALUES " + rows,
                    "UPDATE app.load SET v = 'u' ORDER BY id DESC LIMIT " + (1 + random.nextInt(3)), "COMMIT");
        } else if (op < 85) {
            String xid = "'" + xidPrefix + (++sequence) + "','b'";
            sql(c, "XA START " + xid, "INSERT INTO app.load (v, pad) VALUES " + rows, "XA END " + xid,
                    "XA PREPARE " + xid);
            if (random.nextInt(5) > 0) {
                sql(decisions, "INSERT INTO __gbinlog.commit_log VALUES ('" + xidPrefix + sequence + "', " + sequence
                        + ", '" + node.id() + "')");
                sql(c, "XA COMMIT " + xid);
            } else {
                sql(c, "XA ROLLBACK " + xid);
            }
        } else {
            sql(c, "INSERT INTO app.load (v, pad) VALUES " + rows(1));
        }
        committed.incrementAndGet();
    }

    private String rows(int n) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < n; i++) {
            s.append(i == 0 ? "" : ", ").append("('r").append(random.nextInt(1000)).append("', REPEAT('p', ")
                    .append(200 + random.nextInt(3000)).append("))");
        }
        return s.toString();
    }

    private void closeConnections() {
        for (Connection conn : new Connection[] {c, decisions}) {
            if (conn != null) {
                try {
                    conn.close();
                } catch (SQLException ignored) {
                    // gone
                }
            }
        }
        c = null;
        decisions = null;
    }

    /** Stops writing; returns once the last transaction has ended. */
    void stop() {
        running = false;
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        stop();
    }
}
