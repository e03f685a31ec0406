package io.gbinlog.integration.coordinator;

import java.util.List;

/**
 * What a {@link Recovery} run did.
 *
 * @param resolutions one per gtrid it settled
 * @param problems    what it could not settle and why (unreachable node, branch still owned by a live
 *                    session, an XA transaction another coordinator format wrote); empty when complete
 */
public record RecoveryReport(List<Resolution> resolutions, List<String> problems) {

    public RecoveryReport {
        resolutions = List.copyOf(resolutions);
        problems = List.copyOf(problems);
    }

    public boolean isComplete() {
        return problems.isEmpty();
    }

    /**
     * One settled distributed transaction.
     *
     * @param committed whether its branches were committed (a commit_log row with cts > 0 existed)
     * @param cts       the recorded commit timestamp, 0 when rolled back
     * @param branches  the data nodes whose prepared branch this run committed or rolled back
     */
    public record Resolution(String gtrid, boolean committed, long cts, List<String> branches) {
        public Resolution {
            branches = List.copyOf(branches);
        }
    }
}
