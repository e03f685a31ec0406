package io.gbinlog.integration.coordinator;

import java.util.List;

/**
 * A committed transaction.
 *
 * @param gtrid           the XA gtrid; null for a single-node transaction
 * @param cts             the commit timestamp written to commit_log; 0 for a single-node transaction
 * @param participants    the data nodes, primary first
 * @param pendingBranches nodes whose XA COMMIT failed after the decision; recovery commits them
 */
public record CommitResult(String gtrid, long cts, List<String> participants, List<String> pendingBranches) {

    public CommitResult {
        participants = List.copyOf(participants);
        pendingBranches = List.copyOf(pendingBranches);
    }

    public boolean isDistributed() {
        return gtrid != null;
    }
}
