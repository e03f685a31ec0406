package io.gbinlog.protocol.server;

import io.gbinlog.protocol.query.QueryResult;

/** The errors the server itself raises, with MySQL's codes, SQLSTATEs and wording. */
final class ServerErrors {

    private ServerErrors() {
    }

    static QueryResult.Error accessDenied(String user, String host, boolean usingPassword) {
        return QueryResult.error(1045, "28000", "Access denied for user '" + user + "'@'" + host
                + "' (using password: " + (usingPassword ? "YES" : "NO") + ")");
    }

    static QueryResult.Error badHandshake() {
        return QueryResult.error(1043, "08S01", "Bad handshake");
    }

    static QueryResult.Error unknownCommand() {
        return QueryResult.error(1047, "08S01", "Unknown command");
    }

    static QueryResult.Error noDatabaseSelected() {
        return QueryResult.error(1046, "3D000", "No database selected");
    }

    static QueryResult.Error malformedPacket() {
        return QueryResult.error(1835, "HY000", "Malformed communication packet.");
    }

    static QueryResult.Error packetTooLarge() {
        return QueryResult.error(1153, "08S01", "Got a packet bigger than 'max_allowed_packet' bytes");
    }

    static QueryResult.Error packetsOutOfOrder() {
        return QueryResult.error(1156, "08S01", "Got packets out of order");
    }

    /** An application handler failed: the client learns why, the connection goes on. */
    static QueryResult.Error handlerFailed(Exception e) {
        String reason = e.getMessage() != null ? e.getMessage() : e.getClass().getName();
        return QueryResult.error(1105, "HY000", reason);
    }
}
