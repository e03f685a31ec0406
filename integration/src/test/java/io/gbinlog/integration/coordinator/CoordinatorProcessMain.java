package io.gbinlog.integration.coordinator;

import io.gbinlog.integration.testing.TestTso;
import io.gbinlog.meta.tso.JdbcTsoClient;

/**
 * Child JVM for {@link CoordinatorRecoveryTest}: a coordinator that runs one transfer and stops at a
 * crash point, printing {@code REACHED <gtrid>}, until the test kills the whole process.
 */
public final class CoordinatorProcessMain {

    private CoordinatorProcessMain() {
    }

    /** Arguments: TSO port, crash point, account number, then id=jdbcUrl per data node (user/password gbinlog). */
    public static void main(String[] args) throws Exception {
        int tsoPort = Integer.parseInt(args[0]);
        CrashPoint point = CrashPoint.valueOf(args[1]);
        long account = Long.parseLong(args[2]);
        Coordinator.Builder builder = Coordinator.builder()
                .tso(JdbcTsoClient.factory(TestTso.HOST, tsoPort, TestTso.USER, TestTso.PASSWORD));
        for (int i = 3; i < args.length; i++) {
            String[] node = args[i].split("=", 2);
            builder.node(node[0], node[1], "gbinlog", "gbinlog");
        }
        try (CoordinatorSession session = builder.build().openSession()) {
            Transaction t = CoordinatorRecoveryTest.transfer(session, account);
            t.pauseAt(point, () -> {
                System.out.println("REACHED " + t.gtrid());
                System.out.flush();
                try {
                    System.in.read(); // until killed
                } catch (java.io.IOException ignored) {
                    // killed
                }
            });
            t.commit();
        }
        System.out.println("UNEXPECTED commit finished");
    }
}
