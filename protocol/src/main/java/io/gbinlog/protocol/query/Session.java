package io.gbinlog.protocol.query;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The state of one authenticated connection: who it is, its current schema, its user variables
 * ({@code SET @x = ...}) and the system variables it changed for itself ({@code SET autocommit = 0}).
 * Created by the server after authentication; readable from any thread.
 */
public final class Session {

    private final long connectionId;
    private final String user;
    private final String remoteHost;
    private volatile String schema;
    /** Keys are lower case: variable names are case-insensitive. */
    private final Map<String, SqlValue> userVariables = new ConcurrentHashMap<>();
    private final Map<String, String> systemVariables = new ConcurrentHashMap<>();

    public Session(long connectionId, String user, String remoteHost) {
        this.connectionId = connectionId;
        this.user = user;
        this.remoteHost = remoteHost;
    }

    public long connectionId() {
        return connectionId;
    }

    public String user() {
        return user;
    }

    /** The client's IP address, as it appears in MySQL's 'user'@'host'. */
    public String remoteHost() {
        return remoteHost;
    }

    /** The schema chosen by COM_INIT_DB, USE or the handshake; null when none was chosen. */
    public String schema() {
        return schema;
    }

    public void schema(String schema) {
        this.schema = schema;
    }

    /** The text of user variable {@code @name}; null when it is unset or NULL (MySQL does not tell them apart). */
    public String userVariable(String name) {
        return userVariableValue(name).text();
    }

    SqlValue userVariableValue(String name) {
        return userVariables.getOrDefault(key(name), SqlValue.NULL);
    }

    void setUserVariable(String name, SqlValue value) {
        userVariables.put(key(name), value);
    }

    /** The session's own value of a system variable, or null when it kept the server's. */
    String systemVariable(String name) {
        return systemVariables.get(key(name));
    }

    void setSystemVariable(String name, String value) {
        systemVariables.put(key(name), value);
    }

    void resetSystemVariable(String name) {
        systemVariables.remove(key(name));
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return "Session(" + connectionId + ", '" + user + "'@'" + remoteHost + "')";
    }
}
