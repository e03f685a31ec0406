package io.gbinlog.integration.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** What the replication tests read off a MariaDB replica and off the dumper it follows. */
public final class ReplicaStatus {

    /** The dumper's SHOW MASTER STATUS: file and position as SHOW SLAVE STATUS prints them, and the GTID set. */
    public record Source(String file, long position, String executedGtidSet) {
    }

    private ReplicaStatus() {
    }

    /** The replica's SHOW SLAVE STATUS as column → value; empty when replication was never set up. */
    public static Map<String, String> of(Statement replica) {
        Map<String, String> status = new LinkedHashMap<>();
        try (ResultSet r = replica.executeQuery("SHOW SLAVE STATUS")) {
            if (r.next()) {
                for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
                    status.put(r.getMetaData().getColumnLabel(i), r.getString(i));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("SHOW SLAVE STATUS failed", e);
        }
        return status;
    }

    /** How far the replica's SQL thread has applied, in the source's binlog. */
    public static long executedPosition(Statement replica) {
        String pos = of(replica).get("Exec_Master_Log_Pos");
        return pos == null ? 0 : Long.parseLong(pos);
    }

    public static Source source(int dumperPort, String user, String password) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + dumperPort + "/", user, password);
             Statement s = c.createStatement(); ResultSet r = s.executeQuery("SHOW MASTER STATUS")) {
            assertTrue(r.next(), "SHOW MASTER STATUS has a row");
            return new Source(r.getString(1), r.getLong(2), r.getString(5));
        }
    }

    /** Polls {@code condition} for up to 120 s; a replica error fails at once instead of waiting out the deadline. */
    public static void await(String what, Statement replica, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (!condition.getAsBoolean()) {
            Map<String, String> status = of(replica);
            assertTrue("0".equals(status.get("Last_Errno")) && "0".equals(status.get("Last_IO_Errno")),
                    () -> what + ": the replica failed: " + status);
            assertTrue(System.nanoTime() < deadline, () -> what + ": not within 120 s: " + status);
            Thread.sleep(50); // poll interval; the condition, not the pause, ends the wait
        }
    }

    /** Waits until the replica has applied everything up to the source's {@code file:position}, without error. */
    public static void awaitCaughtUp(Statement replica, Source source) throws InterruptedException {
        await("the replica reaches the dumper's " + source.file() + ":" + source.position(), replica,
                () -> source.file().equals(of(replica).get("Relay_Master_Log_File"))
                        && Long.toString(source.position()).equals(of(replica).get("Exec_Master_Log_Pos")));
    }
}
