package io.gbinlog.protocol.query;

import io.gbinlog.protocol.packet.ColumnType;
import java.util.Objects;

/** A result-set column: the name clients see and its type. */
public record Column(String name, ColumnType type) {

    public Column {
        Objects.requireNonNull(name, "column name");
        Objects.requireNonNull(type, "column type");
    }
}
