package io.gbinlog.merger.pipeline;

import io.gbinlog.collector.capture.EventGroup;

/**
 * One stream's part of a transaction as the merger holds it: the collector's payload, by reference (never copied
 * between threads), where its event group starts in the data node's binlog, and when the collector handed it over.
 * Large transactions stay in memory until written; spilling them to disk would replace {@code group} by a handle
 * on a spill file written by the collector, read back by the writer.
 *
 * @param position       encoded binlog position of the group: a prepare for a branch, the commit for a local
 * @param receivedMillis wall-clock time the collector delivered it (a local transaction's delay is measured from it)
 */
record Captured(EventGroup group, long position, long receivedMillis) {
}
