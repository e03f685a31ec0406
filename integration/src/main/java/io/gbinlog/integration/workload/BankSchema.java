package io.gbinlog.integration.workload;

import io.gbinlog.integration.coordinator.Coordinator;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The bank's data: a table {@code bank.account} on every data node, account {@code id} living on node
 * {@code id % nodes} (the coordinator's node order).
 */
final class BankSchema {

    static final String TABLE = "bank.account";
    private static final int INSERT_BATCH = 500;

    private BankSchema() {
    }

    /**
     * Drops and recreates the bank on every node: {@code accountsPerNode} accounts of {@code balance} each. The DDL
     * runs on each node outside the DDL protocol: do it before a global binlog's first start, whose snapshot then
     * holds the bank; later schema changes go through {@link Coordinator#ddl}.
     */
    static void create(Coordinator coordinator, int accountsPerNode, long balance) throws SQLException {
        List<String> nodes = coordinator.nodeIds();
        for (int index = 0; index < nodes.size(); index++) {
            try (Connection connection = coordinator.connect(nodes.get(index));
                 Statement statement = connection.createStatement()) {
                statement.execute("DROP DATABASE IF EXISTS bank");
                statement.execute("CREATE DATABASE bank");
                statement.execute("""
                        CREATE TABLE bank.account (
                          id         BIGINT PRIMARY KEY,
                          balance    BIGINT NOT NULL,
                          owner      VARCHAR(64) NOT NULL,
                          note       VARCHAR(255) NULL,
                          version    INT NOT NULL DEFAULT 0,
                          updated_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6)
                        ) ENGINE=InnoDB""");
                StringBuilder insert = new StringBuilder();
                for (int k = 0; k < accountsPerNode; k++) {
                    long id = (long) k * nodes.size() + index;
                    insert.append(insert.length() == 0 ? "INSERT INTO bank.account (id, balance, owner) VALUES " : ",")
                            .append('(').append(id).append(',').append(balance).append(",'owner-").append(id).append("')");
                    if ((k + 1) % INSERT_BATCH == 0 || k == accountsPerNode - 1) {
                        statement.execute(insert.toString());
                        insert.setLength(0);
                    }
                }
            }
        }
    }

    /** The money on all nodes together; constant while no transaction is in flight. */
    static long total(Coordinator coordinator) throws SQLException {
        long total = 0;
        for (String node : coordinator.nodeIds()) {
            try (Connection connection = coordinator.connect(node);
                 Statement statement = connection.createStatement();
                 ResultSet rs = statement.executeQuery("SELECT COALESCE(SUM(balance), 0) FROM bank.account")) {
                rs.next();
                total += rs.getLong(1);
            }
        }
        return total;
    }
}
