package io.gbinlog.integration.pipeline;

import io.gbinlog.integration.cluster.DataNode;
import io.gbinlog.integration.testing.Await;
import io.gbinlog.integration.testing.TestTso;
import io.gbinlog.integration.workload.ShopWorkload;
import io.gbinlog.merger.pipeline.PipelineSettings;
import io.gbinlog.meta.schema.NameMapping;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** What the tests of the sharded shop compare: the shards' rows together against one logical table's rows. */
final class ShopChecks {

    private ShopChecks() {
    }

    /** {@link PipelineTesting#settings} with the shop's logical names. */
    static PipelineSettings settings(List<DataNode> nodes, Path storage, TestTso tso) {
        return PipelineTesting.builder(nodes, storage, tso).names(NameMapping.of(ShopWorkload.NAME_RULES)).build();
    }

    /**
     * The rows of {@code table} ({@code orders_<n>} or a table name every shard schema has) over all shards, in id
     * order, {@code columns} joined by {@code |}: what one logical table must hold after a replay.
     */
    static List<String> shardRows(ShopWorkload shop, List<DataNode> nodes, String table, String columns)
            throws SQLException {
        Map<Long, String> rows = new TreeMap<>();
        for (int shard = 0; shard < ShopWorkload.SHARDS; shard++) {
            String node = shop.nodeOf(shard);
            DataNode dn = nodes.stream().filter(n -> n.id().equals(node)).findFirst().orElseThrow();
            String physical = ShopWorkload.schema(shard) + "." + table.replace("<n>", Integer.toString(shard));
            read(dn, "SELECT " + columns + " FROM " + physical, rows);
        }
        return new ArrayList<>(rows.values());
    }

    /** The rows of {@code db.table} on {@code dn}, in id order (the first column is the id). */
    static List<String> rows(DataNode dn, String table, String columns) throws SQLException {
        Map<Long, String> rows = new TreeMap<>();
        read(dn, "SELECT " + columns + " FROM " + table, rows);
        return new ArrayList<>(rows.values());
    }

    private static void read(DataNode dn, String query, Map<Long, String> rows) throws SQLException {
        try (Connection c = dn.connect(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(query)) {
            while (r.next()) {
                StringBuilder row = new StringBuilder();
                for (int i = 1; i <= r.getMetaData().getColumnCount(); i++) {
                    row.append(i > 1 ? "|" : "").append(r.getString(i));
                }
                if (rows.put(r.getLong(1), row.toString()) != null) {
                    throw new AssertionError("id " + r.getLong(1) + " twice: " + query + " on " + dn.id());
                }
            }
        }
    }

    /** The physical names appear nowhere in the global binlog: not in table maps, statement texts or DDLs. */
    static void assertNoPhysicalNames(List<Path> files) throws IOException {
        for (Path file : files) {
            String bytes = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
            int at = bytes.indexOf("shop_p");
            if (at >= 0) {
                throw new AssertionError(file + " holds a physical name at byte " + at + ": "
                        + bytes.substring(Math.max(0, at - 60), Math.min(bytes.length(), at + 60)));
            }
        }
    }

    static void awaitCommits(ShopWorkload shop, long more) {
        long target = shop.committed() + more;
        Await.until(more + " more shop commits (" + shop + ")", Duration.ofSeconds(90), () -> {
            if (shop.failure() != null) {
                throw new AssertionError("the shop workload failed", shop.failure());
            }
            return shop.committed() >= target;
        });
    }
}
