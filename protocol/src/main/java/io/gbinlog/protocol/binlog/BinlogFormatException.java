package io.gbinlog.protocol.binlog;

/** Bytes that are not a well-formed global binlog: torn or corrupt events, or events in an impossible order. */
public class BinlogFormatException extends RuntimeException {
    public BinlogFormatException(String message) {
        super(message);
    }
}
