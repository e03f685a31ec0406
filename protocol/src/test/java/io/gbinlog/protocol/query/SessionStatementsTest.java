package io.gbinlog.protocol.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.gbinlog.protocol.packet.ColumnType;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class SessionStatementsTest {

    private final SessionStatements statements = new SessionStatements(new ServerVariables(variables()));
    private final Session session = new Session(7, "u", "127.0.0.1");

    private static Map<String, Supplier<String>> variables() {
        Map<String, Supplier<String>> variables = new LinkedHashMap<>();
        ServerVariables.defaults("8.0.36-test", 1 << 20).forEach((name, value) -> variables.put(name, () -> value));
        variables.put("server_id", () -> "42");
        variables.put("binlog_checksum", () -> "CRC32");
        return variables;
    }

    private QueryResult.ResultSet select(String sql) {
        return assertInstanceOf(QueryResult.ResultSet.class, statements.answer(session, sql), sql);
    }

    private List<Object> singleRow(String sql) {
        QueryResult.ResultSet result = select(sql);
        assertEquals(1, result.rows().size(), sql);
        return result.rows().get(0);
    }

    @Test
    void userVariablesAreKeptPerSession() {
        assertInstanceOf(QueryResult.Ok.class, statements.answer(session, "SET @master_binlog_checksum='CRC32'"));
        assertInstanceOf(QueryResult.Ok.class, statements.answer(session, "set @a = 5, @B := -2.5, @c = NULL;"));

        assertEquals("CRC32", session.userVariable("MASTER_BINLOG_CHECKSUM"));
        QueryResult.ResultSet result = select("SELECT @master_binlog_checksum, @a, @b, @c, @never");
        assertEquals(Arrays.asList("CRC32", "5", "-2.5", null, null), result.rows().get(0));
        assertEquals(List.of(ColumnType.VARCHAR, ColumnType.BIGINT, ColumnType.DECIMAL, ColumnType.VARCHAR,
                ColumnType.VARCHAR), result.columns().stream().map(Column::type).toList());
        assertEquals("@master_binlog_checksum", result.columns().get(0).name());

        Session other = new Session(8, "u", "127.0.0.1");
        assertNull(((QueryResult.ResultSet) statements.answer(other, "SELECT @a")).rows().get(0).get(0));
    }

    @Test
    void userVariableTakesAFreshUuid() {
        assertInstanceOf(QueryResult.Ok.class, statements.answer(session, "set @slave_uuid=uuid()"));
        String uuid = session.userVariable("slave_uuid");
        assertEquals(uuid, java.util.UUID.fromString(uuid).toString());
        statements.answer(session, "set @other=uuid()");
        assertNotEquals(uuid, session.userVariable("other"));
    }

    @Test
    void userVariableTakesASystemVariable() {
        statements.answer(session, "set @master_binlog_checksum= @@global.binlog_checksum");
        assertEquals("CRC32", session.userVariable("master_binlog_checksum"));
    }

    @Test
    void systemVariablesComeFromTheServerAndTheSession() {
        QueryResult.ResultSet result = select("select @@version_comment limit 1");
        assertEquals("@@version_comment", result.columns().get(0).name());
        assertEquals("gbinlog", result.rows().get(0).get(0));

        QueryResult.ResultSet serverId = select("SELECT @@GLOBAL.SERVER_ID AS id");
        assertEquals(new Column("id", ColumnType.BIGINT), serverId.columns().get(0));
        assertEquals("42", serverId.rows().get(0).get(0));

        statements.answer(session, "SET autocommit=0, sql_mode=CONCAT(@@sql_mode,',STRICT_TRANS_TABLES'), NAMES utf8mb4");
        assertEquals(List.of("0", "1"), singleRow("SELECT @@autocommit, @@global.autocommit"));
        statements.answer(session, "SET SESSION autocommit = DEFAULT");
        assertEquals(List.of("1"), singleRow("SELECT @@session.autocommit"));
    }

    @Test
    void unknownSystemVariableIsMysqlsError() {
        QueryResult.Error error = assertInstanceOf(QueryResult.Error.class,
                statements.answer(session, "SELECT @@nonexistent"));
        assertEquals(1193, error.code());
        assertEquals("Unknown system variable 'nonexistent'", error.message());
    }

    @Test
    void connectorJConnectQueryIsAnswered() {
        String sql = "/* mysql-connector-java-8.0.33 */SELECT  @@session.auto_increment_increment AS auto_increment_increment,"
                + " @@character_set_client AS character_set_client, @@character_set_connection AS character_set_connection,"
                + " @@character_set_results AS character_set_results, @@character_set_server AS character_set_server,"
                + " @@collation_server AS collation_server, @@collation_connection AS collation_connection,"
                + " @@init_connect AS init_connect, @@interactive_timeout AS interactive_timeout, @@license AS license,"
                + " @@lower_case_table_names AS lower_case_table_names, @@max_allowed_packet AS max_allowed_packet,"
                + " @@net_write_timeout AS net_write_timeout, @@performance_schema AS performance_schema,"
                + " @@sql_mode AS sql_mode, @@system_time_zone AS system_time_zone, @@time_zone AS time_zone,"
                + " @@transaction_isolation AS transaction_isolation, @@wait_timeout AS wait_timeout";
        QueryResult.ResultSet result = select(sql);
        assertEquals(19, result.columns().size());
        assertEquals("wait_timeout", result.columns().get(18).name());
        assertEquals("1048576", result.rows().get(0).get(11));
    }

    @Test
    void sessionFunctionsAndLiterals() {
        session.schema("shop");
        assertEquals(List.of("shop", "u@127.0.0.1", "7", "8.0.36-test", "1", "x"),
                singleRow("SELECT DATABASE(), USER(), CONNECTION_ID(), VERSION(), 1, 'x'"));
        assertEquals(0, select("SELECT 1 FROM DUAL LIMIT 0").rows().size());
    }

    @Test
    void showVariablesFiltersWithLike() {
        QueryResult.ResultSet result = select("show global variables like 'binlog\\_checksum'");
        assertEquals(List.of(List.of("binlog_checksum", "CRC32")), result.rows());
        assertEquals(List.of("version", "version_comment"),
                select("SHOW VARIABLES LIKE 'VERSION%'").rows().stream().map(row -> row.get(0)).toList());
    }

    @Test
    void showVariablesFiltersByName() {
        assertEquals(List.of(List.of("character_set_server", "utf8mb4"), List.of("collation_server", "utf8mb4_general_ci")),
                select("SHOW VARIABLES WHERE Variable_name IN ('character_set_server','collation_server')").rows());
        assertEquals(List.of(List.of("binlog_checksum", "CRC32"), List.of("server_id", "42")),
                select("show global variables where `VARIABLE_NAME` = 'SERVER_ID' or Variable_name = 'binlog_checksum'")
                        .rows());
        assertEquals(List.of(), select("SHOW VARIABLES WHERE Variable_name = 'nonexistent'").rows());
    }

    @Test
    void useChangesTheSchema() {
        assertInstanceOf(QueryResult.Ok.class, statements.answer(session, "USE `my db`"));
        assertEquals("my db", session.schema());
    }

    @Test
    void everythingElseIsLeftToTheApplication() {
        for (String sql : new String[] {"SELECT TSO_TIMESTAMP()", "SELECT * FROM t", "SELECT @@version; DROP TABLE t",
                "SHOW MASTER STATUS", "SET @x = 1 + 1", "SHOW VARIABLES WHERE Value = 'x'", "SELECT 'unterminated",
                "INSERT INTO t VALUES (1)"}) {
            assertNull(statements.answer(session, sql), sql);
        }
        assertNull(session.userVariable("x"), "a declined SET has no effect");
    }

    @Test
    void emptyQueryIsAnError() {
        assertEquals(1065, ((QueryResult.Error) statements.answer(session, " /* nothing */ ")).code());
    }
}
