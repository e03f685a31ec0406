package io.gbinlog.collector.capture;

/**
 * A data node's binlog holds something the collector cannot turn into transactions (an unknown or compressed
 * event, events outside any group). Reading that stream stops: skipping events would lose data.
 */
public final class CaptureException extends RuntimeException {

    public CaptureException(String message) {
        super(message);
    }

    public CaptureException(String message, Throwable cause) {
        super(message, cause);
    }
}
