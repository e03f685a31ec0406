package io.gbinlog.integration.coordinator;

import java.sql.SQLException;

/** The transaction did not commit: every branch was rolled back, or is left for recovery to roll back. */
public final class TransactionAbortedException extends SQLException {

    public TransactionAbortedException(String message, Throwable cause) {
        super(message, cause);
    }
}
