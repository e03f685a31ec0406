package io.gbinlog.dumper.replica;

import io.gbinlog.protocol.packet.ColumnType;
import io.gbinlog.protocol.packet.PacketBuffers;
import io.gbinlog.protocol.query.Column;
import io.gbinlog.protocol.query.QueryResult;
import io.gbinlog.protocol.query.Session;
import io.gbinlog.protocol.server.CommandContext;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Replicas that announced themselves with COM_REGISTER_SLAVE, listed by {@code SHOW REPLICAS} (and its old
 * name {@code SHOW SLAVE HOSTS}) while their connection lasts, as on MySQL.
 */
public final class ReplicaRegistry {

    private record Replica(long serverId, String host, int port, long sourceId, String uuid) {
    }

    private final long sourceServerId;
    /** By connection id: a replica that reconnects appears once per live connection, as on MySQL. */
    private final Map<Long, Replica> replicas = new ConcurrentSkipListMap<>();

    public ReplicaRegistry(long sourceServerId) {
        this.sourceServerId = sourceServerId;
    }

    /**
     * COM_REGISTER_SLAVE: server_id (4), report host, user and password (each a 1-byte length and bytes),
     * port (2), rank (4), source id (4). Answered with OK.
     */
    public void register(CommandContext context, ByteBuf body) {
        PacketBuffers.require(body, 4, "COM_REGISTER_SLAVE server_id");
        long serverId = body.readUnsignedIntLE();
        String host = shortString(body, "report host");
        shortString(body, "report user");
        shortString(body, "report password");
        PacketBuffers.require(body, 10, "COM_REGISTER_SLAVE port, rank and source id");
        int port = body.readUnsignedShortLE();
        body.skipBytes(4); // replication rank, unused since MySQL 4
        body.readUnsignedIntLE(); // the source id the replica believes in; ours is authoritative
        Session session = context.session();
        String reportedHost = host.isEmpty() ? session.remoteHost() : host;
        String uuid = session.userVariable("replica_uuid") != null ? session.userVariable("replica_uuid")
                : session.userVariable("slave_uuid");
        long connection = session.connectionId();
        if (replicas.put(connection, new Replica(serverId, reportedHost, port, sourceServerId, uuid == null ? "" : uuid)) == null) {
            context.channel().closeFuture().addListener(f -> replicas.remove(connection));
        }
        context.write(QueryResult.ok());
    }

    private static String shortString(ByteBuf body, String field) {
        PacketBuffers.require(body, 1, "COM_REGISTER_SLAVE " + field + " length");
        int length = body.readUnsignedByte();
        PacketBuffers.require(body, length, "COM_REGISTER_SLAVE " + field);
        return body.readCharSequence(length, StandardCharsets.UTF_8).toString();
    }

    /** {@code SHOW REPLICAS}, or with MySQL's older column names for {@code SHOW SLAVE HOSTS}. */
    public QueryResult show(boolean oldNames) {
        List<Column> columns = List.of(
                new Column(oldNames ? "Server_id" : "Server_Id", ColumnType.BIGINT_UNSIGNED),
                new Column("Host", ColumnType.VARCHAR),
                new Column("Port", ColumnType.BIGINT_UNSIGNED),
                new Column(oldNames ? "Master_id" : "Source_Id", ColumnType.BIGINT_UNSIGNED),
                new Column(oldNames ? "Slave_UUID" : "Replica_UUID", ColumnType.VARCHAR));
        List<List<Object>> rows = new ArrayList<>();
        for (Replica r : replicas.values()) {
            rows.add(Arrays.asList(r.serverId(), r.host(), r.port(), r.sourceId(), r.uuid()));
        }
        return QueryResult.resultSet(columns, rows);
    }
}
