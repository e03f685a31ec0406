package io.gbinlog.merger.writer;

/**
 * Where an appended transaction lies: its GTID sequence number, cts, logical-clock sequence number within its
 * file, the position of its GTID event and the position just after its last event.
 */
public record AppendedTransaction(long gno, long cts, long sequenceNumber, BinlogPosition start, long endPosition) {
}
