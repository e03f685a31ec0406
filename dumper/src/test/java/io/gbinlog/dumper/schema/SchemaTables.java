package io.gbinlog.dumper.schema;

import io.gbinlog.meta.schema.Collation;
import io.gbinlog.meta.schema.SchemaException;
import io.gbinlog.meta.schema.SchemaHistory;
import io.gbinlog.meta.schema.SchemaSnapshot;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** A schema history holding shop.orders, shop.items and an empty schema bank. */
final class SchemaTables {

    static final String ORDERS_DDL = """
            CREATE TABLE `orders` (
              `id` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
              `customer` varchar(20) NOT NULL DEFAULT 'x' COMMENT 'who',
              `amount` decimal(10,2) DEFAULT NULL,
              `state` enum('a','b') DEFAULT NULL,
              `note` text DEFAULT NULL,
              `u` int(11) DEFAULT NULL,
              `m` int(11) DEFAULT NULL,
              PRIMARY KEY (`id`),
              UNIQUE KEY `uk` (`u`),
              KEY `km` (`m`,`u`)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci""";
    static final String ITEMS_DDL = """
            CREATE TABLE `items` (
              `sku` varchar(10) NOT NULL,
              `name` varchar(40) DEFAULT NULL,
              UNIQUE KEY `sku` (`sku`)
            ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci""";

    private SchemaTables() {
    }

    /** A history that starts at cts 1 from these tables, as the first start would record them from MariaDB. */
    static SchemaHistory history(Path dir) throws IOException, SchemaException {
        String utf8 = "utf8mb4_general_ci";
        SchemaSnapshot snapshot = new SchemaSnapshot(
                List.of(new Collation(8, "latin1_swedish_ci", "latin1", true), new Collation(45, utf8, "utf8mb4", true),
                        new Collation(46, "utf8mb4_bin", "utf8mb4", false), new Collation(63, "binary", "binary", true)),
                utf8, Map.of("shop", utf8, "bank", utf8),
                List.of(new SchemaSnapshot.Table("shop", "orders", ORDERS_DDL),
                        new SchemaSnapshot.Table("shop", "items", ITEMS_DDL)));
        SchemaHistory history = SchemaHistory.open(dir);
        history.bootstrap(1, snapshot);
        return history;
    }
}
