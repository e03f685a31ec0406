package io.gbinlog.merger.pipeline;

import io.gbinlog.collector.capture.BinlogCoordinates;
import io.gbinlog.collector.ordering.Gtrid;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * Where a global transaction came from, as its cts marker records it, so that a restarted pipeline can tell what it
 * already wrote: {@code gtrid=<hex>} for a distributed transaction, {@code local=<data node>:<file>:<offset>} for a
 * transaction of one data node (the start of its event group in that data node's binlog).
 *
 * @param gtrid      hex of a distributed transaction's gtrid, else null
 * @param dataNode   a local transaction's data node, else null
 * @param coordinates a local transaction's position, else null
 */
record Origin(String gtrid, String dataNode, BinlogCoordinates coordinates) {

    private static final HexFormat HEX = HexFormat.of();
    private static final String GTRID = "gtrid=";
    private static final String LOCAL = "local=";

    static String distributed(Gtrid gtrid) {
        return GTRID + hex(gtrid);
    }

    static String local(String dataNode, BinlogCoordinates at) {
        return LOCAL + dataNode + ":" + at.file() + ":" + at.offset();
    }

    /** The origin of a marker; null for text this class did not write (a marker of an older writer). */
    static Origin parse(String text) {
        if (text == null) {
            return null;
        }
        if (text.startsWith(GTRID)) {
            return new Origin(text.substring(GTRID.length()), null, null);
        }
        if (text.startsWith(LOCAL)) {
            String rest = text.substring(LOCAL.length());
            int colon = rest.indexOf(':');
            int last = rest.lastIndexOf(':');
            if (colon > 0 && last > colon + 1) {
                try {
                    return new Origin(null, rest.substring(0, colon), new BinlogCoordinates(rest.substring(colon + 1, last),
                            Long.parseLong(rest.substring(last + 1))));
                } catch (IllegalArgumentException malformed) {
                    return null;
                }
            }
        }
        return null;
    }

    boolean isLocal() {
        return dataNode != null;
    }

    /**
     * The gtrid's bytes in hex. {@link Gtrid} shows printable gtrids as text and others as {@code X'hex'}; a text
     * that merely looks like {@code X'..'} decodes to printable bytes only, so the two cannot be confused.
     */
    static String hex(Gtrid gtrid) {
        String shown = gtrid.toString();
        if (shown.length() >= 3 && shown.startsWith("X'") && shown.endsWith("'")) {
            try {
                byte[] bytes = HEX.parseHex(shown, 2, shown.length() - 1);
                for (byte b : bytes) {
                    if (b < 0x20 || b > 0x7e) {
                        return HEX.formatHex(bytes);
                    }
                }
            } catch (IllegalArgumentException printableText) {
                // not hex: the gtrid's own text
            }
        }
        return HEX.formatHex(shown.getBytes(StandardCharsets.US_ASCII));
    }

    /** The gtrid's bytes, for looking up its commit_log row. */
    static byte[] bytes(Gtrid gtrid) {
        return HEX.parseHex(hex(gtrid));
    }
}
