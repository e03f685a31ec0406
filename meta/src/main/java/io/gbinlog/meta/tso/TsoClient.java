package io.gbinlog.meta.tso;

import java.sql.SQLException;

/**
 * Where coordinators and gbinlog's probers take timestamps: the cluster's TSO. One client per thread; not
 * thread-safe.
 */
@FunctionalInterface
public interface TsoClient extends AutoCloseable {

    /** A new timestamp, greater than every one any client received before this call. */
    long next() throws SQLException;

    @Override
    default void close() {
    }
}
