package io.gbinlog.merger.writer;

import java.util.List;

/**
 * What opening the global binlog had to repair. {@code cutFile} is null when the last file ended exactly at a
 * transaction boundary.
 *
 * @param cutFile             the file whose tail was cut
 * @param cutFrom             position the file was truncated to (end of its last complete transaction)
 * @param bytesCut            bytes removed
 * @param reason              why the bytes after {@code cutFrom} were not a complete transaction
 * @param indexEntriesDropped index entries removed because they pointed at missing or wrong data
 * @param indexEntriesAdded   index entries rebuilt from a scan of the file
 * @param removedFiles        files holding at most a header that a crash left unlisted: created by an interrupted
 *                            rotation, or the first file of an interrupted first start
 */
public record RecoveryReport(String cutFile, long cutFrom, long bytesCut, String reason, long indexEntriesDropped,
                             long indexEntriesAdded, List<String> removedFiles) {
    public boolean clean() {
        return cutFile == null && indexEntriesDropped == 0 && indexEntriesAdded == 0 && removedFiles.isEmpty();
    }

    @Override
    public String toString() {
        if (clean()) {
            return "global binlog was closed cleanly";
        }
        StringBuilder s = new StringBuilder("global binlog recovery:");
        if (cutFile != null) {
            s.append(" cut ").append(bytesCut).append(" bytes from ").append(cutFile).append(" at position ")
                    .append(cutFrom).append(" (").append(reason).append(");");
        }
        if (indexEntriesDropped > 0 || indexEntriesAdded > 0) {
            s.append(" index entries dropped ").append(indexEntriesDropped).append(", rebuilt ")
                    .append(indexEntriesAdded).append(';');
        }
        if (!removedFiles.isEmpty()) {
            s.append(" removed unlisted files ").append(removedFiles).append(';');
        }
        return s.toString();
    }
}
