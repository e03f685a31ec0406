package io.gbinlog.merger.pipeline;

import io.gbinlog.collector.capture.BinlogCoordinates;
import io.gbinlog.collector.ordering.Gtrid;

import java.util.HexFormat;

/**
 * Where a global transaction came from, as its cts marker records it for operators and tools:
 * {@code gtrid=<hex>} for a distributed transaction, {@code local=<data node>:<file>:<offset>} for a transaction of
 * one data node (the start of its event group in that data node's binlog).
 */
final class Origin {

    private static final HexFormat HEX = HexFormat.of();

    private Origin() {
    }

    static String distributed(Gtrid gtrid) {
        return "gtrid=" + HEX.formatHex(gtrid.bytes());
    }

    static String local(String dataNode, BinlogCoordinates at) {
        return "local=" + dataNode + ":" + at.file() + ":" + at.offset();
    }
}
