package io.gbinlog.integration.workload;

import io.gbinlog.integration.coordinator.CommitResult;
import io.gbinlog.integration.coordinator.CoordinatorSession;
import io.gbinlog.integration.coordinator.CrashPoint;
import io.gbinlog.integration.coordinator.OutcomeUnknownException;
import io.gbinlog.integration.coordinator.Transaction;
import io.gbinlog.integration.workload.TxnRecord.Kind;
import io.gbinlog.integration.workload.TxnRecord.Outcome;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;

/** One thread of the bank workload: picks operations from its own seeded random stream and runs them. */
final class BankWorker implements Runnable {

    /** Lock wait timeout, deadlock, and their XA variants XA_RBTIMEOUT / XA_RBDEADLOCK. */
    private static final List<Integer> CONFLICT_CODES = List.of(1205, 1213, 1613, 1614);
    private static final Kind[] MIX = mix();

    private final BankWorkload workload;
    private final Random random;
    private final List<String> nodes;

    BankWorker(BankWorkload workload, long seed) {
        this.workload = workload;
        this.random = new Random(seed);
        this.nodes = workload.coordinator().nodeIds();
    }

    @Override
    public void run() {
        try (CoordinatorSession session = workload.coordinator().openSession()) {
            while (workload.takeTicket()) {
                long id = workload.nextTxnId();
                Kind kind = pickKind();
                TxnRecord record;
                try {
                    record = runOne(session, id, kind);
                } catch (RuntimeException e) {
                    record = new TxnRecord(id, kind, Outcome.ABORTED, null, 0, List.of(), List.of(), "unexpected: " + e);
                }
                workload.record(record);
            }
        }
    }

    private Kind pickKind() {
        if (nodes.size() > 1 && random.nextDouble() < workload.crashRate()) {
            return Kind.COORDINATOR_CRASH;
        }
        Kind kind = MIX[random.nextInt(MIX.length)];
        boolean needsTwoNodes = kind == Kind.DISTRIBUTED_TRANSFER || kind == Kind.ROLLBACK_BEFORE_PREPARE
                || kind == Kind.ROLLBACK_AFTER_PREPARE;
        return needsTwoNodes && nodes.size() < 2 ? Kind.LOCAL_TRANSFER : kind;
    }

    private TxnRecord runOne(CoordinatorSession session, long id, Kind kind) {
        return switch (kind) {
            case DISTRIBUTED_TRANSFER, ROLLBACK_BEFORE_PREPARE, ROLLBACK_AFTER_PREPARE, COORDINATOR_CRASH ->
                    distributedTransfer(session, id, kind);
            case LOCAL_TRANSFER -> localTransfer(session, id);
            case LOCAL_UPDATE -> localUpdate(session, id);
            case OPEN_ACCOUNT -> openAccount(session, id);
            case CLOSE_ACCOUNT -> closeAccount(session, id);
        };
    }

    /** Money from one account to one account on each of 1..n-1 other nodes. */
    private TxnRecord distributedTransfer(CoordinatorSession session, long id, Kind kind) {
        List<String> participants = randomNodes(2 + random.nextInt(nodes.size() - 1));
        int source = random.nextInt(participants.size());
        long[] accounts = new long[participants.size()];
        long[] amounts = new long[participants.size()];
        long total = 0;
        for (int i = 0; i < participants.size(); i++) {
            accounts[i] = randomAccount(participants.get(i));
            if (i != source) {
                amounts[i] = 1 + random.nextInt(50);
                total += amounts[i];
            }
        }
        long debit = total;
        CrashPoint crash = CrashPoint.values()[random.nextInt(CrashPoint.values().length)];
        return execute(session, id, kind, participants, crash, statements -> {
            for (int i = 0; i < participants.size(); i++) {
                if (i == source) {
                    statements.debit(participants.get(i), accounts[i], debit);
                } else {
                    statements.credit(participants.get(i), accounts[i], amounts[i]);
                }
            }
        });
    }

    private TxnRecord localTransfer(CoordinatorSession session, long id) {
        String node = nodes.get(random.nextInt(nodes.size()));
        long from = randomAccount(node);
        long to = randomAccount(node);
        long amount = 1 + random.nextInt(100);
        return execute(session, id, Kind.LOCAL_TRANSFER, List.of(node), null, statements -> {
            if (from == to) {
                throw new Refused("transfer from account " + from + " to itself");
            }
            statements.debit(node, from, amount);
            statements.credit(node, to, amount);
        });
    }

    private TxnRecord localUpdate(CoordinatorSession session, long id) {
        String node = nodes.get(random.nextInt(nodes.size()));
        long account = randomAccount(node);
        return execute(session, id, Kind.LOCAL_UPDATE, List.of(node), null, statements ->
                statements.expectOne(node, account, "UPDATE bank.account SET note = ?, version = version + 1 WHERE id = ?",
                        "note of txn " + id, account));
    }

    /** A new account on its own node, funded from an existing one: a distributed insert when they differ. */
    private TxnRecord openAccount(CoordinatorSession session, long id) {
        long account = workload.newAccountId();
        String home = nodeOf(account);
        String funder = nodes.get(random.nextInt(nodes.size()));
        long source = randomAccount(funder);
        long amount = 1 + random.nextInt(100);
        return execute(session, id, Kind.OPEN_ACCOUNT, pair(home, funder), null, statements -> {
            statements.debit(funder, source, amount);
            statements.update(home, "INSERT INTO bank.account (id, balance, owner, note) VALUES (?, ?, ?, ?)",
                    account, amount, "owner-" + account, "opened by txn " + id);
        });
    }

    /** Moves an account's whole balance to another account, then deletes it. */
    private TxnRecord closeAccount(CoordinatorSession session, long id) {
        String home = nodes.get(random.nextInt(nodes.size()));
        String heir = nodes.get(random.nextInt(nodes.size()));
        long account = randomAccount(home);
        long beneficiary = randomAccount(heir);
        return execute(session, id, Kind.CLOSE_ACCOUNT, pair(home, heir), null, statements -> {
            if (account == beneficiary) {
                throw new Refused("account " + account + " cannot inherit from itself");
            }
            OptionalLong balance = statements.transaction.queryLong(home, null,
                    "SELECT balance FROM bank.account WHERE id = ? FOR UPDATE", account);
            if (balance.isEmpty()) {
                throw new Refused("account " + account + " on " + home + " does not exist");
            }
            statements.credit(heir, beneficiary, balance.getAsLong());
            statements.expectOne(home, account, "DELETE FROM bank.account WHERE id = ?", account);
        });
    }

    private TxnRecord execute(CoordinatorSession session, long id, Kind kind, List<String> participants,
                              CrashPoint crash, Body body) {
        Statements statements = new Statements(workload.sqlIdPrefix() + id);
        Transaction txn = null;
        try {
            txn = session.begin(participants);
            statements.transaction = txn;
            body.run(statements);
            switch (kind) {
                case ROLLBACK_BEFORE_PREPARE -> {
                    txn.rollback();
                    return record(id, kind, Outcome.ROLLED_BACK, txn.gtrid(), 0, participants, statements, null);
                }
                case ROLLBACK_AFTER_PREPARE -> {
                    txn.prepare();
                    txn.rollback();
                    return record(id, kind, Outcome.ROLLED_BACK, txn.gtrid(), 0, participants, statements, null);
                }
                case COORDINATOR_CRASH -> txn.crashAt(crash);
                default -> {
                }
            }
            CommitResult result = txn.commit();
            return record(id, kind, Outcome.COMMITTED, result.gtrid(), result.cts(), participants, statements, null);
        } catch (Refused e) {
            txn.rollback();
            return record(id, kind, Outcome.ABORTED, txn.gtrid(), 0, participants, statements, e.getMessage());
        } catch (OutcomeUnknownException e) {
            return record(id, kind, Outcome.UNKNOWN, e.gtrid(), 0, participants, statements, e.getMessage());
        } catch (SQLException e) {
            if (txn != null) {
                txn.rollback();
            }
            String error = (isConflict(e) ? "conflict: " : "") + e.getMessage();
            if (isConnectionFailure(e)) {
                pauseAfterConnectionFailure();
            }
            return record(id, kind, Outcome.ABORTED, txn == null ? null : txn.gtrid(), 0, participants, statements,
                    error);
        } catch (RuntimeException e) {
            if (txn != null) {
                txn.rollback(); // keep the session usable for the next transaction
            }
            throw e;
        }
    }

    private static TxnRecord record(long id, Kind kind, Outcome outcome, String gtrid, long cts,
                                    List<String> participants, Statements statements, String error) {
        return new TxnRecord(id, kind, outcome, gtrid, cts, participants, statements.sqlIds, error);
    }

    static boolean isConflict(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && CONFLICT_CODES.contains(sql.getErrorCode())) {
                return true;
            }
        }
        return false;
    }

    private static boolean isConnectionFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLNonTransientConnectionException || t instanceof SQLTransientConnectionException) {
                return true;
            }
        }
        return false;
    }

    /** A node is down: do not spin through thousands of failing connects while it restarts. */
    private static void pauseAfterConnectionFailure() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<String> randomNodes(int count) {
        List<String> shuffled = new ArrayList<>(nodes);
        Collections.shuffle(shuffled, random);
        return List.copyOf(shuffled.subList(0, count));
    }

    /** One node, or both in random order (the first is the primary). */
    private List<String> pair(String a, String b) {
        if (a.equals(b)) {
            return List.of(a);
        }
        return random.nextBoolean() ? List.of(a, b) : List.of(b, a);
    }

    /** An account id that lives on {@code node}; it may have been closed, or never opened. */
    private long randomAccount(String node) {
        int n = nodes.size();
        int index = nodes.indexOf(node);
        long ids = (workload.accountIdBound() - index + n - 1) / n;
        return index + (long) n * random.nextLong(Math.max(1, ids));
    }

    private String nodeOf(long account) {
        return nodes.get((int) (account % nodes.size()));
    }

    private static Kind[] mix() {
        List<Kind> mix = new ArrayList<>();
        add(mix, Kind.DISTRIBUTED_TRANSFER, 48);
        add(mix, Kind.LOCAL_TRANSFER, 18);
        add(mix, Kind.LOCAL_UPDATE, 8);
        add(mix, Kind.OPEN_ACCOUNT, 8);
        add(mix, Kind.CLOSE_ACCOUNT, 4);
        add(mix, Kind.ROLLBACK_BEFORE_PREPARE, 8);
        add(mix, Kind.ROLLBACK_AFTER_PREPARE, 6);
        return mix.toArray(Kind[]::new);
    }

    private static void add(List<Kind> mix, Kind kind, int weight) {
        for (int i = 0; i < weight; i++) {
            mix.add(kind);
        }
    }

    @FunctionalInterface
    private interface Body {
        void run(Statements statements) throws SQLException, Refused;
    }

    /** A business rule said no (missing account, too little money): roll back. */
    private static final class Refused extends Exception {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** The statements of one transaction, each tagged with its own sql_id. */
    private static final class Statements {
        private final String idPrefix;
        private final List<String> sqlIds = new ArrayList<>();
        private Transaction transaction;

        Statements(String idPrefix) {
            this.idPrefix = idPrefix;
        }

        int update(String node, String sql, Object... args) throws SQLException {
            String sqlId = idPrefix + "." + (sqlIds.size() + 1);
            sqlIds.add(sqlId);
            return transaction.update(node, sqlId, sql, args);
        }

        void expectOne(String node, long account, String sql, Object... args) throws SQLException, Refused {
            if (update(node, sql, args) != 1) {
                throw new Refused("account " + account + " on " + node + " does not exist");
            }
        }

        void debit(String node, long account, long amount) throws SQLException, Refused {
            if (update(node, "UPDATE bank.account SET balance = balance - ?, version = version + 1"
                    + " WHERE id = ? AND balance >= ?", amount, account, amount) != 1) {
                throw new Refused("account " + account + " on " + node + " does not exist or has less than " + amount);
            }
        }

        void credit(String node, long account, long amount) throws SQLException, Refused {
            expectOne(node, account, "UPDATE bank.account SET balance = balance + ?, version = version + 1 WHERE id = ?",
                    amount, account);
        }
    }
}
