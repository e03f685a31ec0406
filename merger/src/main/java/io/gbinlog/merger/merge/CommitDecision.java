package io.gbinlog.merger.merge;

import io.gbinlog.collector.ordering.Gtrid;

import java.util.List;

/**
 * A {@code __gbinlog.commit_log} row read from the table rather than from a binlog: at a first start, the
 * rows of the branches XA RECOVER lists, which may lie before every start position.
 *
 * @param cts          the commit timestamp; 0 for a decided abort
 * @param participants the data-node ids of its participants column
 */
public record CommitDecision(Gtrid gtrid, long cts, List<String> participants) {

    public CommitDecision {
        participants = List.copyOf(participants);
    }
}
