package io.gbinlog.merger.writer;

import java.nio.file.Path;
import java.util.Objects;
import java.util.UUID;

/**
 * Settings of the global binlog files.
 *
 * @param directory          where {@code binlog.NNNNNN}, {@code binlog.index} and {@code index/} live
 * @param maxFileSize        rotate once a file reaches this size (at a transaction boundary, so a file may
 *                           exceed it by one transaction); 4096 .. 1 GiB, as MySQL's max_binlog_size
 * @param fsyncPolicy        when written data is forced to disk
 * @param indexIntervalBytes a cts/GTID index entry at most every this many bytes of a file (0: every
 *                           transaction); lookups scan forward from the entry before their target
 * @param serverId           server_id in every event header (1 .. 2^32-1)
 * @param clusterUuid        the source UUID of every GTID
 */
public record BinlogLogConfig(Path directory, long maxFileSize, FsyncPolicy fsyncPolicy, int indexIntervalBytes,
                              long serverId, UUID clusterUuid) {
    public static final long MIN_FILE_SIZE = 4096;
    public static final long MAX_FILE_SIZE = 1L << 30;

    public BinlogLogConfig {
        Objects.requireNonNull(directory, "binlog directory");
        Objects.requireNonNull(fsyncPolicy, "binlog fsync policy");
        Objects.requireNonNull(clusterUuid, "cluster uuid");
        if (maxFileSize < MIN_FILE_SIZE || maxFileSize > MAX_FILE_SIZE) {
            throw new IllegalArgumentException("binlog max file size must be in " + MIN_FILE_SIZE + ".."
                    + MAX_FILE_SIZE + " bytes, was " + maxFileSize);
        }
        if (indexIntervalBytes < 0) {
            throw new IllegalArgumentException("binlog index interval must be >= 0 bytes, was " + indexIntervalBytes);
        }
        if (serverId < 1 || serverId > 0xFFFF_FFFFL) {
            throw new IllegalArgumentException("binlog server id must be in 1..4294967295, was " + serverId);
        }
    }

    /** Defaults a MySQL DBA expects: 1 GiB files, an index entry every 4 KiB, fsync per transaction. */
    public static BinlogLogConfig defaults(Path directory, long serverId, UUID clusterUuid) {
        return new BinlogLogConfig(directory, MAX_FILE_SIZE, FsyncPolicy.EVERY_TRANSACTION, 4096, serverId,
                clusterUuid);
    }
}
