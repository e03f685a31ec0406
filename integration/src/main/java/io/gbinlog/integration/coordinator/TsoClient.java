package io.gbinlog.integration.coordinator;

import java.sql.SQLException;

/** Where a coordinator gets commit timestamps. One client per coordinator session; not thread-safe. */
public interface TsoClient extends AutoCloseable {

    /** A new timestamp, greater than every timestamp any client received before. */
    long next() throws SQLException;

    @Override
    void close();
}
