package io.gbinlog.collector.ordering;

/**
 * The cluster's binlogs contradict the distributed transaction protocol (for example a gtrid prepared
 * twice on one data node, or a transaction whose branches do not match its commit_log participants).
 * No correct global order exists for such input, so ordering stops rather than guess.
 */
public final class ProtocolViolationException extends IllegalStateException {

    public ProtocolViolationException(String message) {
        super(message);
    }
}
