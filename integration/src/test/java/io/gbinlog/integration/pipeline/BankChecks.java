package io.gbinlog.integration.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.pipeline.GlobalBinlogContent.Change;
import io.gbinlog.integration.pipeline.GlobalBinlogContent.Tx;
import io.gbinlog.integration.workload.TxnRecord;
import io.gbinlog.integration.workload.TxnRecord.Outcome;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The end-to-end properties of the global binlog under the bank workload, checked against the workload's history:
 * (a) every committed transaction exactly once, all its branches in one transaction; (b) cts never decreases and
 * GTIDs have no gaps; (c) nothing rolled back or aborted, no {@code __gbinlog} row; (d) the bank's total is the same
 * at every transaction boundary, applying the row events to a model of the accounts whose before images must match.
 */
final class BankChecks {

    static final String ACCOUNTS = "bank.account";

    private BankChecks() {
    }

    /** id → balance of every account on the data nodes now. */
    static Map<Long, Long> balances(List<DataNode> nodes) throws SQLException {
        Map<Long, Long> balances = new TreeMap<>();
        for (DataNode dn : nodes) {
            try (Connection c = dn.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT id, balance FROM " + ACCOUNTS)) {
                while (rs.next()) {
                    balances.put(rs.getLong(1), rs.getLong(2));
                }
            }
        }
        return balances;
    }

    /** Every account row (all columns) on {@code nodes}, in id order: what a replay must reproduce. */
    static List<String> rows(List<DataNode> nodes) throws SQLException {
        Map<Long, String> rows = new TreeMap<>();
        for (DataNode dn : nodes) {
            try (Connection c = dn.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT id, balance, owner, note, version, updated_at FROM " + ACCOUNTS)) {
                while (rs.next()) {
                    rows.put(rs.getLong(1), rs.getLong(1) + "|" + rs.getLong(2) + "|" + rs.getString(3) + "|"
                            + rs.getString(4) + "|" + rs.getInt(5) + "|" + rs.getString(6));
                }
            }
        }
        return new ArrayList<>(rows.values());
    }

    /**
     * @param initial the accounts when the global binlog began
     * @return how many row transactions were checked
     */
    static int check(List<Tx> txs, List<TxnRecord> history, Map<Long, Long> initial, long expectedTotal) {
        Map<String, TxnRecord> bySqlId = new HashMap<>();
        for (TxnRecord r : history) {
            r.sqlIds().forEach(id -> bySqlId.put(id, r));
        }
        Map<Long, Integer> seen = new HashMap<>();
        Map<Long, Long> accounts = new HashMap<>(initial);
        long lastCts = 0;
        long lastDistributedCts = 0;
        long lastGno = 0;
        int rowTransactions = 0;
        for (Tx tx : txs) {
            String at = "transaction " + tx.gno() + " at " + tx.file() + ":" + tx.position() + " (" + tx.origin() + ")";
            // (b)
            assertTrue(lastGno == 0 || tx.gno() == lastGno + 1, () -> at + ": GTID after " + tx.gno());
            lastGno = tx.gno();
            assertTrue(tx.cts() >= lastCts, () -> at + ": cts " + tx.cts() + " below the previous " + tx.cts());
            lastCts = tx.cts();
            assertEquals((tx.cts() >>> 22) * 1000, tx.commitMicros(), () -> at + ": GTID commit time from the cts");
            if (tx.isDistributed()) {
                assertTrue(tx.cts() > lastDistributedCts, () -> at + ": distributed cts not increasing");
                lastDistributedCts = tx.cts();
            }
            // (c)
            for (String table : tx.tables()) {
                assertFalse(table.startsWith("__gbinlog."), () -> at + " writes protocol table " + table);
            }
            if (tx.ddl() != null) {
                continue;
            }
            rowTransactions++;
            // (a)
            assertFalse(tx.sqlIds().isEmpty(), () -> at + " has no statement of the workload: " + tx);
            TxnRecord r = bySqlId.get(tx.sqlIds().get(0));
            assertNotNull(r, () -> at + ": statement " + tx.sqlIds().get(0) + " of no workload transaction");
            assertEquals(Outcome.COMMITTED, r.outcome(), () -> at + " holds " + r);
            assertEquals(sorted(r.sqlIds()), sorted(tx.sqlIds()), () -> at + ": exactly the statements of " + r);
            assertEquals(1, seen.merge(r.id(), 1, Integer::sum), () -> at + ": written again: " + r);
            if (r.isDistributed()) {
                assertTrue(tx.isDistributed(), () -> at + " is " + r);
                assertEquals("gtrid=" + HexFormat.of().formatHex(r.gtrid().getBytes(StandardCharsets.US_ASCII)),
                        tx.origin(), () -> at);
                assertEquals(r.cts(), tx.cts(), () -> at + ": cts of " + r);
            } else {
                assertFalse(tx.isDistributed(), () -> at + " is " + r);
                assertEquals(r.participants().get(0), tx.localDataNode(), () -> at + " is " + r);
            }
            // (d)
            for (Change change : tx.changes()) {
                assertEquals(ACCOUNTS, change.table(), () -> at + " changes another table");
                apply(accounts, change, at);
            }
            long total = accounts.values().stream().mapToLong(Long::longValue).sum();
            assertEquals(expectedTotal, total, () -> "bank total after " + at);
        }
        for (TxnRecord r : history) {
            if (r.outcome() == Outcome.COMMITTED) {
                assertEquals(1, seen.getOrDefault(r.id(), 0), () -> "committed, not in the global binlog: " + r);
            } else {
                assertFalse(seen.containsKey(r.id()), () -> "not committed, yet written: " + r);
            }
        }
        return rowTransactions;
    }

    private static void apply(Map<Long, Long> accounts, Change change, String at) {
        switch (change.type()) {
            case INSERT -> {
                long id = (Long) change.after()[0];
                assertFalse(accounts.containsKey(id), () -> at + " inserts existing account " + id);
                accounts.put(id, (Long) change.after()[1]);
            }
            case UPDATE -> {
                long id = (Long) change.before()[0];
                assertEquals(accounts.get(id), change.before()[1], () -> at + ": account " + id
                        + " before image differs from the accounts so far: the order is wrong");
                assertEquals(id, change.after()[0]);
                accounts.put(id, (Long) change.after()[1]);
            }
            case DELETE -> {
                long id = (Long) change.before()[0];
                assertTrue(Objects.equals(accounts.get(id), change.before()[1]), () -> at + ": deleted account " + id
                        + " differs from the accounts so far");
                accounts.remove(id);
            }
        }
    }

    private static List<String> sorted(List<String> ids) {
        return ids.stream().sorted().toList();
    }
}
