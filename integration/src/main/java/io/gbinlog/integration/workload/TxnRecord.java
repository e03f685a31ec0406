package io.gbinlog.integration.workload;

import java.util.List;

/**
 * One transaction the bank workload ran, for tests to check against the binlogs.
 *
 * @param id           sequence number within the run
 * @param kind         what it did
 * @param outcome      how it ended
 * @param gtrid        the XA gtrid, null for a single-node transaction
 * @param cts          the commit timestamp of a committed distributed transaction, else 0
 * @param participants the data nodes, primary first
 * @param sqlIds       the statement ids of the statements it ran, in order
 * @param error        why it did not commit (null when committed or deliberately rolled back)
 */
public record TxnRecord(long id, Kind kind, Outcome outcome, String gtrid, long cts, List<String> participants,
                        List<String> sqlIds, String error) {

    public TxnRecord {
        participants = List.copyOf(participants);
        sqlIds = List.copyOf(sqlIds);
    }

    public boolean isDistributed() {
        return gtrid != null;
    }

    public enum Kind {
        /** Money from one account to accounts on 1..n-1 other nodes. */
        DISTRIBUTED_TRANSFER,
        /** Money between two accounts of one node, BEGIN ... COMMIT. */
        LOCAL_TRANSFER,
        /** A non-money column of one account. */
        LOCAL_UPDATE,
        /** Inserts a new account funded from an existing one (distributed when they live on two nodes). */
        OPEN_ACCOUNT,
        /** Moves an account's whole balance to another account and deletes it. */
        CLOSE_ACCOUNT,
        /** A distributed transfer rolled back on purpose before XA PREPARE. */
        ROLLBACK_BEFORE_PREPARE,
        /** A distributed transfer prepared everywhere, then rolled back on purpose. */
        ROLLBACK_AFTER_PREPARE,
        /** A distributed transfer whose coordinator crashes at a random point of the commit. */
        COORDINATOR_CRASH
    }

    public enum Outcome {
        COMMITTED,
        /** Rolled back on purpose. */
        ROLLED_BACK,
        /** Did not commit: lock wait timeout, deadlock, a missing account or too little money, an error. */
        ABORTED,
        /** The coordinator lost it (crash, lost connection); recovery settles it by the commit_log row. */
        UNKNOWN
    }
}
