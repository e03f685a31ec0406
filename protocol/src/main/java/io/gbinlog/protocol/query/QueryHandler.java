package io.gbinlog.protocol.query;

/**
 * The application's answer to a COM_QUERY statement that is not session boilerplate (SET, SELECT of
 * variables, SHOW VARIABLES, USE: those are answered before the handler is asked).
 *
 * <p>Called on the connection's I/O thread, one statement at a time per connection: return quickly, a
 * handler that blocks stalls the other connections sharing that thread. An exception becomes an ERR packet
 * (1105) for that statement; the connection stays open.
 */
@FunctionalInterface
public interface QueryHandler {

    QueryResult handle(Session session, String sql) throws Exception;
}
