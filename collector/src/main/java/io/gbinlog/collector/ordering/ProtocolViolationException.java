package io.gbinlog.collector.ordering;

/**
 * The cluster's binlogs contradict the distributed transaction protocol (for example a gtrid prepared
 * twice on one data node, a branch committed on a data node its commit_log row does not list, a commit
 * after a decided abort), or miss part of a transaction that must come out (a first start position too
 * late). No correct global binlog exists for such input, so ordering stops rather than guess.
 */
public final class ProtocolViolationException extends IllegalStateException {

    public ProtocolViolationException(String message) {
        super(message);
    }
}
