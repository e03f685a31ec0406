package io.gbinlog.protocol.server;

import io.gbinlog.protocol.auth.Credentials;
import io.gbinlog.protocol.query.QueryHandler;
import io.gbinlog.protocol.query.SessionStatements;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

/** Everything a connection needs to know about its server, fixed at start. */
record ServerConfig(String serverVersion, Credentials credentials, SessionStatements statements,
        QueryHandler queryHandler, Map<Integer, CommandHandler> commands, int maxPacketSize,
        Duration connectTimeout, Predicate<String> schemaExists) {
}
