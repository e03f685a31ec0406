package io.gbinlog.protocol.server;

import io.gbinlog.protocol.auth.Credentials;
import io.gbinlog.protocol.packet.Commands;
import io.gbinlog.protocol.packet.PacketDecoder;
import io.gbinlog.protocol.packet.PacketEncoder;
import io.gbinlog.protocol.packet.PacketSequence;
import io.gbinlog.protocol.query.QueryHandler;
import io.gbinlog.protocol.query.QueryResult;
import io.gbinlog.protocol.query.ServerVariables;
import io.gbinlog.protocol.query.SessionStatements;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * A server that speaks the MySQL client/server protocol (as a MySQL 8.0 server without TLS would):
 * mysql_native_password authentication against configured users, session boilerplate answered for every
 * application, statements passed to a {@link QueryHandler}, further command bytes to
 * {@link CommandHandler}s.
 *
 * <pre>{@code
 * try (MysqlServer server = MysqlServer.builder().bind("127.0.0.1", 0).users(Map.of("u", "pw"))
 *         .queryHandler((session, sql) -> QueryResult.singleValue("x", ColumnType.BIGINT, 1L)).start()) {
 *     int port = server.port();
 * }
 * }</pre>
 */
public final class MysqlServer implements AutoCloseable {

    private static final Set<Integer> BUILT_IN_COMMANDS = Set.of(Commands.QUIT, Commands.INIT_DB, Commands.QUERY,
            Commands.PING, Commands.SET_OPTION);

    /** MySQL's own ceiling for max_allowed_packet. */
    private static final int MAX_PACKET_SIZE = 1 << 30;

    private final EventLoopGroup group;
    private final Channel listener;
    private final ChannelGroup connections;

    private MysqlServer(EventLoopGroup group, Channel listener, ChannelGroup connections) {
        this.group = group;
        this.listener = listener;
        this.connections = connections;
    }

    private static final QueryResult.Error TOO_MANY_CONNECTIONS =
            QueryResult.error(1040, "08004", "Too many connections");

    public static Builder builder() {
        return new Builder();
    }

    /** The port actually bound (useful after binding port 0). */
    public int port() {
        return address().getPort();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) listener.localAddress();
    }

    /** Stops listening, closes every connection and stops the I/O threads; returns when all are gone. */
    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        connections.close().awaitUninterruptibly();
        group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
    }

    public static final class Builder {

        private String host = "127.0.0.1";
        private int port;
        private Map<String, String> users = Map.of();
        private String serverVersion = "8.0.36-gbinlog";
        private final Map<String, String> variables = new LinkedHashMap<>();
        private final Map<String, Supplier<String>> liveVariables = new LinkedHashMap<>();
        private QueryHandler queryHandler = (session, sql) -> QueryResult.unsupported(sql);
        private final Map<Integer, CommandHandler> commands = new HashMap<>();
        private int maxPacketSize = 64 * 1024 * 1024;
        private int maxConnections = 1000;
        private int ioThreads = 2;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Predicate<String> schemaExists = schema -> true;

        private Builder() {
        }

        /** Where to listen; default 127.0.0.1 and port 0 (any free port). */
        public Builder bind(String host, int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("bind: port must be in 0..65535, got " + port);
            }
            this.host = Objects.requireNonNull(host, "bind: host");
            this.port = port;
            return this;
        }

        /** The accounts (user name to password) allowed in; required, no anonymous access. */
        public Builder users(Map<String, String> users) {
            this.users = Objects.requireNonNull(users, "users");
            return this;
        }

        /** The version in the greeting and {@code @@version}; MySQL clients read the 8.0 from it. */
        public Builder serverVersion(String serverVersion) {
            if (serverVersion == null || serverVersion.isBlank()) {
                throw new IllegalArgumentException("serverVersion must not be blank");
            }
            this.serverVersion = serverVersion;
            return this;
        }

        /**
         * Global system variables ({@code @@name}, {@code SHOW VARIABLES}), on top of defaults connectors
         * expect (version_comment, max_allowed_packet, character sets, time zone, isolation, timeouts).
         */
        public Builder variables(Map<String, String> variables) {
            variables.forEach((name, value) -> this.variables.put(name, Objects.requireNonNull(value,
                    () -> "variables: value of '" + name + "' is null")));
            return this;
        }

        /** A global variable whose value changes while the server runs (read each time it is asked). */
        public Builder variable(String name, Supplier<String> value) {
            liveVariables.put(Objects.requireNonNull(name, "variable name"), Objects.requireNonNull(value, "variable value"));
            return this;
        }

        /** Answers statements that are not session boilerplate; default: ERR 1235 "does not support". */
        public Builder queryHandler(QueryHandler queryHandler) {
            this.queryHandler = Objects.requireNonNull(queryHandler, "queryHandler");
            return this;
        }

        /**
         * The schemas a client may choose (handshake, COM_INIT_DB, {@code USE}); others get MySQL's error 1049.
         * Asked on the connection's I/O thread. Default: any name.
         */
        public Builder schemas(Predicate<String> schemaExists) {
            this.schemaExists = Objects.requireNonNull(schemaExists, "schemas");
            return this;
        }

        /** Handles command byte {@code command} (e.g. {@link Commands#BINLOG_DUMP}). */
        public Builder command(int command, CommandHandler handler) {
            if (command < 0 || command > 0xFF) {
                throw new IllegalArgumentException("command byte must be in 0..255, got " + command);
            }
            if (BUILT_IN_COMMANDS.contains(command)) {
                throw new IllegalArgumentException("command 0x" + Integer.toHexString(command) + " is handled by the server itself");
            }
            if (commands.putIfAbsent(command, Objects.requireNonNull(handler, "command handler")) != null) {
                throw new IllegalArgumentException("command 0x" + Integer.toHexString(command) + " already has a handler");
            }
            return this;
        }

        /** The largest packet a client may send (MySQL's max_allowed_packet); default 64 MiB, at most 1 GiB. */
        public Builder maxPacketSize(int bytes) {
            if (bytes < 1024 || bytes > MAX_PACKET_SIZE) {
                throw new IllegalArgumentException("maxPacketSize must be in 1024.." + MAX_PACKET_SIZE + " bytes, got " + bytes);
            }
            this.maxPacketSize = bytes;
            return this;
        }

        /** I/O threads shared by the listener and all connections; default 2. */
        public Builder ioThreads(int threads) {
            if (threads < 1) {
                throw new IllegalArgumentException("ioThreads must be at least 1, got " + threads);
            }
            this.ioThreads = threads;
            return this;
        }

        /** How long a client may take to authenticate; default 10 s (MySQL's connect_timeout). */
        /** Connections beyond this many are refused with ERR 1040, as MySQL's max_connections does. Default 1000. */
        public Builder maxConnections(int connections) {
            if (connections < 1) {
                throw new IllegalArgumentException("maxConnections must be at least 1, got " + connections);
            }
            this.maxConnections = connections;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("connectTimeout must be positive, got " + timeout);
            }
            this.connectTimeout = timeout;
            return this;
        }

        /** Binds and starts serving; throws {@link UncheckedIOException} naming the address when binding fails. */
        public MysqlServer start() {
            ServerConfig config = config();
            EventLoopGroup group = new NioEventLoopGroup(ioThreads, new DefaultThreadFactory("mysql-server", true));
            ChannelGroup connections = new DefaultChannelGroup(group.next());
            AtomicLong connectionIds = new AtomicLong();
            ServerBootstrap bootstrap = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel channel) {
                            PacketSequence sequence = new PacketSequence();
                            if (connections.size() >= maxConnections) {
                                channel.pipeline().addLast("encoder", new PacketEncoder(sequence));
                                channel.writeAndFlush(Replies.error(channel.alloc(), TOO_MANY_CONNECTIONS))
                                        .addListener(ChannelFutureListener.CLOSE);
                                return;
                            }
                            connections.add(channel);
                            channel.pipeline()
                                    .addLast("decoder", new PacketDecoder(sequence, config.maxPacketSize()))
                                    .addLast("encoder", new PacketEncoder(sequence))
                                    .addLast("authentication",
                                            new AuthenticationHandler(config, sequence, connectionIds.incrementAndGet()))
                                    .addLast("errors", ConnectionErrorHandler.INSTANCE);
                        }
                    });
            ChannelFuture bound = bootstrap.bind(host, port).awaitUninterruptibly();
            if (!bound.isSuccess()) {
                group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
                String message = "MySQL protocol server cannot listen on " + host + ":" + port + ": " + bound.cause().getMessage();
                throw new UncheckedIOException(message, bound.cause() instanceof IOException io ? io : new IOException(bound.cause()));
            }
            return new MysqlServer(group, bound.channel(), connections);
        }

        private ServerConfig config() {
            Credentials credentials = new Credentials(users);
            Map<String, Supplier<String>> all = new LinkedHashMap<>();
            ServerVariables.defaults(serverVersion, maxPacketSize).forEach((name, value) -> all.put(name, () -> value));
            variables.forEach((name, value) -> all.put(name, () -> value));
            all.putAll(liveVariables);
            SessionStatements statements = new SessionStatements(new ServerVariables(all), schemaExists);
            return new ServerConfig(serverVersion, credentials, statements, queryHandler, Map.copyOf(commands),
                    maxPacketSize, connectTimeout, schemaExists);
        }
    }
}
