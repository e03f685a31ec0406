package io.gbinlog.dumper.server;

import io.gbinlog.dumper.gtid.LogHead;
import io.gbinlog.merger.writer.BinlogLogConfig;
import io.gbinlog.merger.writer.FsyncPolicy;
import io.gbinlog.merger.writer.GlobalBinlog;
import io.gbinlog.protocol.binlog.FormatDescriptionEventEncoder;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The global variables a MySQL 8.0 primary of this binlog has, as replicas and CDC tools check them at connect
 * ({@code @@server_id}, {@code @@server_uuid}, {@code @@gtid_mode}, {@code binlog_format}, {@code binlog_checksum}...).
 */
final class SourceVariables {

    static final String VERSION_COMPATIBILITY_PREFIX = "5.5.5-";

    private SourceVariables() {
    }

    static Map<String, String> fixed(GlobalBinlog log) {
        BinlogLogConfig config = log.config();
        Map<String, String> v = new LinkedHashMap<>();
        // The greeting says 8.0.36, which replicas and connectors read. mariadb-binlog reads the major version
        // from SELECT VERSION() and knows only 3, 4, 5 and 10, so it cannot read a MySQL 8.0 server remotely;
        // MariaDB's own "5.5.5-" compatibility prefix gets it (and MySQL's mysqlbinlog) through.
        v.put("version", VERSION_COMPATIBILITY_PREFIX + FormatDescriptionEventEncoder.SERVER_VERSION);
        v.put("server_id", Long.toString(config.serverId()));
        // The GTIDs carry the cluster UUID: a MySQL replica takes transactions with the source's own UUID as
        // originating there, which is what the global binlog means.
        v.put("server_uuid", config.clusterUuid().toString());
        v.put("gtid_mode", "ON");
        v.put("enforce_gtid_consistency", "ON");
        v.put("gtid_purged", "");
        v.put("gtid_owned", "");
        v.put("log_bin", "ON");
        v.put("log_bin_basename", config.directory().toAbsolutePath().resolve("binlog").toString());
        v.put("log_bin_index", config.directory().toAbsolutePath().resolve("binlog.index").toString());
        v.put("binlog_format", "ROW");
        v.put("binlog_row_image", "FULL");
        v.put("binlog_checksum", "CRC32");
        v.put("binlog_rows_query_log_events", "ON");
        v.put("binlog_gtid_simple_recovery", "ON");
        v.put("binlog_order_commits", "ON");
        v.put("binlog_transaction_compression", "OFF");
        v.put("binlog_encryption", "OFF");
        v.put("log_replica_updates", "ON");
        v.put("log_slave_updates", "ON");
        v.put("max_binlog_size", Long.toString(config.maxFileSize()));
        v.put("sync_binlog", config.fsyncPolicy() == FsyncPolicy.EVERY_TRANSACTION ? "1" : "0");
        // Nothing but the merger writes this binlog.
        v.put("read_only", "ON");
        v.put("super_read_only", "ON");
        return v;
    }

    /** Variables that move with the log, read each time they are asked. */
    static Map<String, Supplier<String>> live(GlobalBinlog log) {
        return Map.of("gtid_executed", () -> LogHead.of(log).executedGtidSet(log.config().clusterUuid()));
    }
}
