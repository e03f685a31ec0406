package io.gbinlog.integration.workload;

import io.gbinlog.integration.coordinator.Coordinator;
import io.gbinlog.integration.coordinator.CoordinatorSession;
import io.gbinlog.integration.coordinator.DdlResult;
import io.gbinlog.integration.coordinator.OutcomeUnknownException;
import io.gbinlog.integration.coordinator.Transaction;
import io.gbinlog.meta.schema.NameMapping;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sharded shop on the data nodes: the logical table {@code shop.orders} is stored as {@value #SHARDS} physical
 * tables {@code shop_p<n>.orders_<n>}, shards spread evenly over the coordinator's nodes in order (with two nodes: dn0
 * holds shards 0 and 1, dn1 shards 2 and 3); order {@code id} lives in shard {@code id % SHARDS}. {@link #NAME_RULES}
 * present it to consumers as {@code shop.orders}, and any other table of a shard schema as {@code shop.<table>}.
 *
 * <p>Several threads run seeded transactions through the {@link Coordinator}: new orders over 1-3 shards, amount
 * updates over two shards, deletes — distributed whenever the shards sit on different nodes. Statements name only
 * columns that exist from the start, so the workload keeps running across {@code ADD COLUMN} and renames of other
 * columns. Lock conflicts roll the transaction back and are counted.
 */
public final class ShopWorkload {

    public static final int SHARDS = 4;
    /** The columns of {@code orders} when it is created; {@code qty} is never written by the workload. */
    public static final String ORDERS_COLUMNS = "(id BIGINT PRIMARY KEY, customer VARCHAR(32) NOT NULL,"
            + " amount DECIMAL(10,2) NOT NULL, qty INT NOT NULL DEFAULT 1) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";
    /** The logicalNames rules of this layout. */
    public static final List<NameMapping.Rule> NAME_RULES = List.of(
            new NameMapping.Rule("shop_p{n}.orders_{n}", "shop.orders"),
            new NameMapping.Rule("shop_p{n}.*", "shop.*"));

    private static final Logger LOG = LoggerFactory.getLogger(ShopWorkload.class);
    /** Lock wait timeout, deadlock, and their XA variants: the transaction is rolled back, not a failure. */
    private static final List<Integer> CONFLICT_CODES = List.of(1205, 1213, 1613, 1614);

    private final Coordinator coordinator;
    private final List<String> nodes;
    private final int threads;
    private final long seed;
    private final AtomicLong nextOrder = new AtomicLong();
    private final AtomicLong txnIds = new AtomicLong();
    private final LongAdder committed = new LongAdder();
    private final LongAdder distributed = new LongAdder();
    private final LongAdder conflicts = new LongAdder();
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean running;
    private volatile Throwable failure;
    /** Starts so far: each start seeds its workers anew from the seed. */
    private int rounds;

    /** @param seed seeds the workers' operation streams; print it to reproduce a run */
    public ShopWorkload(Coordinator coordinator, int threads, long seed) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.coordinator = coordinator;
        this.nodes = coordinator.nodeIds();
        this.threads = threads;
        this.seed = seed;
    }

    /** The system property gbinlog.seed, else a random seed. */
    public static long seedFromProperty() {
        return Long.getLong("gbinlog.seed", System.nanoTime());
    }

    public long seed() {
        return seed;
    }

    /** {@code shop_p<shard>}. */
    public static String schema(int shard) {
        return "shop_p" + shard;
    }

    /** {@code shop_p<shard>.orders_<shard>}. */
    public static String orders(int shard) {
        return schema(shard) + ".orders_" + shard;
    }

    /** The data node that holds {@code shard}. */
    public String nodeOf(int shard) {
        return nodes.get(shard * nodes.size() / SHARDS);
    }

    /**
     * Drops and creates the shard schemas and tables on every node, outside the DDL protocol: do it before a global
     * binlog's first start, whose snapshot then holds {@code shop.orders}.
     */
    public void createBeforeFirstStart() throws SQLException {
        for (int shard = 0; shard < SHARDS; shard++) {
            try (Connection c = coordinator.connect(nodeOf(shard)); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + schema(shard));
                s.execute("CREATE DATABASE " + schema(shard));
                s.execute("CREATE TABLE " + orders(shard) + " " + ORDERS_COLUMNS);
            }
        }
    }

    /** {@code CREATE DATABASE shop} and {@code CREATE TABLE shop.orders} by the DDL protocol, as two logical DDLs. */
    public List<DdlResult> createByDdl() throws SQLException {
        return List.of(
                coordinator.ddl("", "CREATE DATABASE shop", perNode(shard -> "CREATE DATABASE " + schema(shard))),
                ddl("CREATE TABLE orders " + ORDERS_COLUMNS, shard -> "CREATE TABLE " + orders(shard) + " "
                        + ORDERS_COLUMNS));
    }

    /**
     * A logical DDL with {@code shop} as its default database, carried out on every shard by
     * {@code physical.apply(shard)} (qualified names).
     */
    public DdlResult ddl(String logicalDdl, IntFunction<String> physical) throws SQLException {
        return coordinator.ddl("shop", logicalDdl, perNode(physical));
    }

    private Map<String, List<String>> perNode(IntFunction<String> physical) {
        Map<String, List<String>> byNode = new LinkedHashMap<>();
        for (int shard = 0; shard < SHARDS; shard++) {
            byNode.computeIfAbsent(nodeOf(shard), n -> new ArrayList<>()).add(physical.apply(shard));
        }
        return byNode;
    }

    /** Starts the workers; they run until {@link #stop()}. May be called again after a stop. */
    public synchronized void start() {
        if (!workers.isEmpty()) {
            throw new IllegalStateException("the shop workload is already running");
        }
        LOG.info("shop workload: seed={} threads={} nodes={}", seed, threads, nodes);
        running = true;
        int round = rounds++;
        for (int i = 0; i < threads; i++) {
            Random random = new Random(seed * 31 + round * 1_000_003L + i);
            Thread worker = new Thread(() -> work(random), "shop-worker-" + i);
            worker.setDaemon(true);
            workers.add(worker);
        }
        workers.forEach(Thread::start);
    }

    /** Lets each worker finish its transaction and waits for them; rethrows what made a worker fail. */
    public synchronized void stop() throws InterruptedException {
        running = false;
        for (Thread worker : workers) {
            worker.join();
        }
        workers.clear();
        if (failure != null) {
            throw new IllegalStateException("a shop worker failed (seed " + seed + ")", failure);
        }
    }

    public long committed() {
        return committed.sum();
    }

    /** What made a worker stop (a statement failed for another reason than a lock conflict); null while none did. */
    public Throwable failure() {
        return failure;
    }

    @Override
    public String toString() {
        return "shop workload seed=" + seed + ": " + committed.sum() + " committed (" + distributed.sum()
                + " distributed), " + conflicts.sum() + " rolled back on lock conflicts";
    }

    private void work(Random random) {
        try (CoordinatorSession session = coordinator.openSession()) {
            while (running && failure == null) {
                runOne(session, random);
            }
        } catch (SQLException | RuntimeException e) {
            failure = e;
        }
    }

    private void runOne(CoordinatorSession session, Random random) throws SQLException {
        long txn = txnIds.incrementAndGet();
        int kind = random.nextInt(10);
        List<Step> steps = new ArrayList<>();
        if (kind < 5 || nextOrder.get() < 8) {
            int count = 1 + random.nextInt(3);
            for (int k = 0; k < count; k++) {
                steps.add(new Step(Op.INSERT, nextOrder.getAndIncrement()));
            }
        } else if (kind < 9) {
            steps.add(new Step(Op.UPDATE, random.nextLong(nextOrder.get())));
            steps.add(new Step(Op.UPDATE, random.nextLong(nextOrder.get())));
        } else {
            steps.add(new Step(Op.DELETE, random.nextLong(nextOrder.get())));
        }
        TreeSet<String> participants = new TreeSet<>();
        steps.forEach(step -> participants.add(nodeOf(step.shard())));
        List<String> order = new ArrayList<>(participants);
        if (random.nextBoolean()) {
            Collections.reverse(order); // either node may be the primary
        }
        Transaction t = session.begin(order);
        try {
            int n = 0;
            for (Step step : steps) {
                String node = nodeOf(step.shard());
                String table = orders(step.shard());
                String sqlId = "shop." + txn + "." + ++n;
                switch (step.op()) {
                    case INSERT -> t.update(node, sqlId, "INSERT INTO " + table
                            + " (id, customer, amount) VALUES (?, ?, ?)", step.order(),
                            "customer-" + random.nextInt(1000), random.nextInt(100_000) / 100.0);
                    case UPDATE -> t.update(node, sqlId, "UPDATE " + table
                            + " SET amount = amount + 1, customer = ? WHERE id = ?", "upd-" + txn, step.order());
                    case DELETE -> t.update(node, sqlId, "DELETE FROM " + table + " WHERE id = ?", step.order());
                }
            }
            t.commit();
            committed.increment();
            if (order.size() > 1) {
                distributed.increment();
            }
        } catch (OutcomeUnknownException e) {
            throw e; // no crash is injected: an unknown outcome is a failure of the run
        } catch (SQLException e) {
            t.rollback();
            if (!isConflict(e)) {
                throw e;
            }
            conflicts.increment();
        }
    }

    private enum Op { INSERT, UPDATE, DELETE }

    /** One statement of a transaction: an order that may not exist (updates and deletes then change nothing). */
    private record Step(Op op, long order) {
        int shard() {
            return (int) (order % SHARDS);
        }
    }

    private static boolean isConflict(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && CONFLICT_CODES.contains(sql.getErrorCode())) {
                return true;
            }
        }
        return false;
    }
}
