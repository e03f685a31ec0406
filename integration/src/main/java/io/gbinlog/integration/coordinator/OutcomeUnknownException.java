package io.gbinlog.integration.coordinator;

import java.sql.SQLException;

/**
 * The coordinator lost track of the transaction before its outcome was settled everywhere (a data node
 * or the TSO became unreachable at the wrong moment, or a simulated crash). Its branches are left for
 * {@link Recovery}, which settles them by the commit_log row on the primary.
 */
public final class OutcomeUnknownException extends SQLException {

    private final String gtrid;

    public OutcomeUnknownException(String gtrid, String message, Throwable cause) {
        super(message, cause);
        this.gtrid = gtrid;
    }

    /** The gtrid of the transaction, null for a single-node transaction. */
    public String gtrid() {
        return gtrid;
    }
}
