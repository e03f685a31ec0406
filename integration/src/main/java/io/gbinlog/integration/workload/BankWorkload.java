package io.gbinlog.integration.workload;

import io.gbinlog.integration.coordinator.Coordinator;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bank on the data nodes, driven through the reference {@link Coordinator} by several threads: a seeded
 * mix of distributed transfers over 2..all nodes, local transfers and updates, accounts opened (insert)
 * and closed (delete), and deliberate rollbacks before and after prepare; optionally coordinator crashes
 * that leave prepared branches to {@link Coordinator#recovery()}. Every operation keeps the total money
 * constant, so the total is the invariant to check after any failure.
 *
 * <p>Every DML statement carries its own {@code /* sql_id=<run>.<txn>.<n> *}{@code /}. Lock waits and
 * deadlocks abort the transaction (the coordinator's short lock wait timeout bounds them) and are counted.
 *
 * <pre>{@code
 * BankWorkload bank = BankWorkload.builder(coordinator).threads(8).build();
 * bank.setup();
 * bank.start(1000);
 * bank.awaitTermination(Duration.ofMinutes(2));
 * }</pre>
 */
public final class BankWorkload implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(BankWorkload.class);

    private final Coordinator coordinator;
    private final int threads;
    private final long seed;
    private final int accountsPerNode;
    private final long initialBalance;
    private final double crashRate;
    private final boolean recordHistory;
    private final String sqlIdPrefix;

    private final AtomicLong tickets = new AtomicLong();
    private final AtomicLong txnIds = new AtomicLong();
    private final AtomicLong nextAccountId = new AtomicLong();
    private final LongAdder distributedCommitted = new LongAdder();
    private final LongAdder localCommitted = new LongAdder();
    private final LongAdder rolledBack = new LongAdder();
    private final LongAdder aborted = new LongAdder();
    private final LongAdder conflicts = new LongAdder();
    private final LongAdder unknown = new LongAdder();
    private final Queue<TxnRecord> history = new ConcurrentLinkedQueue<>();
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean running;
    private long startNanos;
    private long stopNanos;

    private BankWorkload(Builder builder) {
        this.coordinator = builder.coordinator;
        this.threads = builder.threads;
        this.seed = builder.seed;
        this.accountsPerNode = builder.accountsPerNode;
        this.initialBalance = builder.initialBalance;
        this.crashRate = builder.crashRate;
        this.recordHistory = builder.recordHistory;
        this.sqlIdPrefix = "bank." + coordinator.id() + ".";
        this.nextAccountId.set((long) accountsPerNode * coordinator.nodeIds().size());
    }

    public static Builder builder(Coordinator coordinator) {
        return new Builder(coordinator);
    }

    public long seed() {
        return seed;
    }

    /**
     * Drops and recreates {@code bank.account} on every node with the initial accounts; before a global binlog's
     * first start (the DDL is not run by the DDL protocol).
     */
    public void setup() throws SQLException {
        BankSchema.create(coordinator, accountsPerNode, initialBalance);
    }

    /** The money the bank holds: accounts per node x nodes x initial balance. */
    public long expectedTotal() {
        return (long) accountsPerNode * coordinator.nodeIds().size() * initialBalance;
    }

    /** The money actually on the nodes now (committed data only). */
    public long totalBalance() throws SQLException {
        return BankSchema.total(coordinator);
    }

    /** Runs until {@link #stop()}. */
    public void start() {
        start(Long.MAX_VALUE);
    }

    /** Runs {@code transactions} transactions in all (whatever their outcome), then the workers end. */
    public synchronized void start(long transactions) {
        if (!workers.isEmpty()) {
            throw new IllegalStateException("the bank workload was already started");
        }
        LOG.info("bank workload: seed={} threads={} nodes={} (reproduce the operation mix with -Dgbinlog.seed={})",
                seed, threads, coordinator.nodeIds(), seed);
        tickets.set(transactions);
        running = true;
        startNanos = System.nanoTime();
        for (int i = 0; i < threads; i++) {
            Thread worker = new Thread(new BankWorker(this, seed * 31 + i), "bank-worker-" + i);
            worker.setDaemon(true);
            workers.add(worker);
        }
        workers.forEach(Thread::start);
    }

    /** Waits for the workers to finish their transactions; false if they are still running at the timeout. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread worker : workers()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            worker.join(Math.max(1, left / 1_000_000));
            if (worker.isAlive()) {
                return false;
            }
        }
        markStopped();
        return true;
    }

    /** Lets each worker finish its current transaction, then waits for all of them. */
    public void stop() throws InterruptedException {
        running = false;
        for (Thread worker : workers()) {
            worker.join();
        }
        markStopped();
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    public Progress progress() {
        Duration elapsed;
        synchronized (this) {
            long end = stopNanos != 0 ? stopNanos : System.nanoTime();
            elapsed = startNanos == 0 ? Duration.ZERO : Duration.ofNanos(end - startNanos);
        }
        return new Progress(distributedCommitted.sum(), localCommitted.sum(), rolledBack.sum(), aborted.sum(),
                conflicts.sum(), unknown.sum(), elapsed);
    }

    /** Every transaction run so far, by id; empty unless history recording is on. */
    public List<TxnRecord> history() {
        List<TxnRecord> records = new ArrayList<>(history);
        records.sort(Comparator.comparingLong(TxnRecord::id));
        return records;
    }

    Coordinator coordinator() {
        return coordinator;
    }

    double crashRate() {
        return crashRate;
    }

    String sqlIdPrefix() {
        return sqlIdPrefix;
    }

    boolean takeTicket() {
        return running && tickets.getAndDecrement() > 0;
    }

    long nextTxnId() {
        return txnIds.incrementAndGet();
    }

    long newAccountId() {
        return nextAccountId.getAndIncrement();
    }

    /** Account ids below this bound have been handed out (some never opened, some closed since). */
    long accountIdBound() {
        return nextAccountId.get();
    }

    void record(TxnRecord record) {
        switch (record.outcome()) {
            case COMMITTED -> (record.isDistributed() ? distributedCommitted : localCommitted).increment();
            case ROLLED_BACK -> rolledBack.increment();
            case ABORTED -> {
                aborted.increment();
                if (record.error() != null && record.error().startsWith("conflict: ")) {
                    conflicts.increment();
                }
            }
            case UNKNOWN -> unknown.increment();
        }
        if (recordHistory) {
            history.add(record);
        }
    }

    private synchronized List<Thread> workers() {
        return List.copyOf(workers);
    }

    private synchronized void markStopped() {
        if (stopNanos == 0 && startNanos != 0) {
            stopNanos = System.nanoTime();
        }
    }

    public static final class Builder {
        private final Coordinator coordinator;
        private int threads = 8;
        private long seed = Long.getLong("gbinlog.seed", System.nanoTime());
        private int accountsPerNode = 1000;
        private long initialBalance = 1000;
        private double crashRate;
        private boolean recordHistory = true;

        private Builder(Coordinator coordinator) {
            this.coordinator = coordinator;
        }

        /** Worker threads, each with its own coordinator session. Default 8. */
        public Builder threads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("threads must be at least 1, got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** Seed of the operation mix. Default: the system property gbinlog.seed, else random. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Accounts created on each node by {@link #setup()}. Default 1000. */
        public Builder accountsPerNode(int accounts) {
            if (accounts < 2) {
                throw new IllegalArgumentException("accountsPerNode must be at least 2, got " + accounts);
            }
            this.accountsPerNode = accounts;
            return this;
        }

        /** Balance of each initial account. Default 1000. */
        public Builder initialBalance(long balance) {
            if (balance < 0) {
                throw new IllegalArgumentException("initialBalance must not be negative, got " + balance);
            }
            this.initialBalance = balance;
            return this;
        }

        /**
         * Share of transactions (0..1) whose coordinator crashes at a random point of the commit, leaving
         * prepared branches for recovery. Default 0.
         */
        public Builder crashRate(double rate) {
            if (!(rate >= 0 && rate <= 1)) {
                throw new IllegalArgumentException("crashRate must be between 0 and 1, got " + rate);
            }
            this.crashRate = rate;
            return this;
        }

        /**
         * Whether to keep a {@link TxnRecord} of every transaction (tests check them against the binlogs).
         * Turn off for long runs: the history grows with every transaction. Default on.
         */
        public Builder recordHistory(boolean record) {
            this.recordHistory = record;
            return this;
        }

        public BankWorkload build() {
            return new BankWorkload(this);
        }
    }
}
