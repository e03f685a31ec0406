package io.gbinlog.collector.capture;

import io.gbinlog.collector.ordering.Gtrid;

import java.util.List;

/**
 * What one data node's binlog means to the ordering engine ({@code TransactionMerger}), one call per complete
 * event group, in binlog order. A collector calls it from a single thread, so an implementation can publish
 * into a single-producer ring. Positions are {@link BinlogCoordinates#encoded() encoded} starts of event groups,
 * strictly increasing except that the rows of one commit_log transaction share its position.
 */
public interface CaptureListener {

    /** XA PREPARE of a branch of {@code gtrid}; {@code payload} holds its row events. */
    void prepared(int stream, long position, Gtrid gtrid, EventGroup payload);

    /** XA COMMIT of the branch of {@code gtrid} prepared earlier on this stream. */
    void committed(int stream, long position, Gtrid gtrid);

    /** XA ROLLBACK of the branch of {@code gtrid} prepared earlier on this stream. */
    void rolledBack(int stream, long position, Gtrid gtrid);

    /** A transaction of this data node alone (or a DDL outside the protocol: {@link EventGroup#isDdl()}). */
    void localCommit(int stream, long position, EventGroup payload);

    /**
     * A row of {@code __gbinlog.commit_log}: the decision for {@code gtrid}, {@code cts} 0 for a decided abort,
     * {@code participants} the data-node ids of its branches. The transaction that wrote it is a protocol
     * marker and is not passed on as a local commit.
     */
    void commitLogRow(int stream, long position, Gtrid gtrid, long cts, List<String> participants);

    /** The stream has been read past the position of a probe that read {@code tso} before asking for it. */
    void probeReached(int stream, long tso);
}
