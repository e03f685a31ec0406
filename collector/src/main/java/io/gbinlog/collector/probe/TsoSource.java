package io.gbinlog.collector.probe;

import java.sql.SQLException;

/** Where a prober reads timestamps: the cluster's TSO. */
@FunctionalInterface
public interface TsoSource extends AutoCloseable {

    /** A new timestamp, greater than every one any client got before this call. */
    long next() throws SQLException;

    @Override
    default void close() {
    }
}
