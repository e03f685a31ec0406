package io.gbinlog.merger.pipeline;

import io.gbinlog.collector.capture.BinlogCoordinates;
import io.gbinlog.collector.ordering.Gtrid;

import java.nio.charset.StandardCharsets;

/**
 * Where a global transaction came from, as its cts marker records it for operators and tools:
 * {@code gtrid=<hex>} for a distributed transaction, {@code local=<data node>:<file>:<offset>} for a transaction of
 * one data node (the start of its event group in that data node's binlog).
 */
final class Origin {

    private static final byte[] PREFIX = "gtrid=".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private Origin() {
    }

    /** Built as Latin-1 bytes in one pass: one of these per distributed transaction written. */
    static String distributed(Gtrid gtrid) {
        byte[] id = gtrid.bytes();
        byte[] text = new byte[PREFIX.length + 2 * id.length];
        System.arraycopy(PREFIX, 0, text, 0, PREFIX.length);
        for (int i = 0, at = PREFIX.length; i < id.length; i++, at += 2) {
            text[at] = HEX[(id[i] >> 4) & 0xf];
            text[at + 1] = HEX[id[i] & 0xf];
        }
        return new String(text, StandardCharsets.ISO_8859_1);
    }

    static String local(String dataNode, BinlogCoordinates at) {
        return "local=" + dataNode + ":" + at.file() + ":" + at.offset();
    }
}
