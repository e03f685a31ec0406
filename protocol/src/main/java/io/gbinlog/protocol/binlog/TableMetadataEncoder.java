package io.gbinlog.protocol.binlog;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;

/**
 * Writes a {@link TableMetadata} as the optional metadata fields MySQL 8.0 appends to a table map with
 * {@code binlog_row_metadata=FULL} (type, length, value; see MySQL's {@code Table_map_log_event::init_metadata_fields}),
 * limited to the field types mysql-binlog-connector-java 0.30.1 reads. Which field a column appears in follows the
 * column types of the table map itself, as MySQL decides from the types it writes: numeric columns in the signedness
 * bits, character columns (binary strings and blobs too) in the charsets, enum and set columns in their own fields.
 *
 * <p>One per table version in one writer (not thread-safe): the fields are built once for the column types of the
 * first table map written with it and built again only when a table map's column types differ, so a table map costs a
 * comparison and a copy.
 */
public final class TableMetadataEncoder {
    static final int SIGNEDNESS = 1;
    static final int DEFAULT_CHARSET = 2;
    static final int COLUMN_CHARSET = 3;
    static final int COLUMN_NAME = 4;
    static final int SET_STR_VALUE = 5;
    static final int ENUM_STR_VALUE = 6;
    static final int SIMPLE_PRIMARY_KEY = 8;
    static final int ENUM_AND_SET_DEFAULT_CHARSET = 10;
    static final int ENUM_AND_SET_COLUMN_CHARSET = 11;

    private static final int BINARY_COLLATION = 63;
    private static final byte[] NONE = new byte[0];

    private enum Kind { NUMERIC, YEAR, CHARACTER, ENUM, SET, OTHER }

    private final TableMetadata metadata;
    /** Column count, types and type metadata of the table map {@link #fields} were built for. */
    private byte[] definitions;
    private byte[] fields;

    public TableMetadataEncoder(TableMetadata metadata) {
        this.metadata = metadata;
    }

    public TableMetadata metadata() {
        return metadata;
    }

    /**
     * The fields for a raw table map whose column definitions (column count, types, metadata length and metadata) lie
     * at {@code [defsAt, metaEnd)}, the types at {@code typesAt} and their metadata at {@code metaAt}. Empty when a
     * column type is unknown: then nothing is said rather than something wrong.
     */
    byte[] fields(byte[] raw, int defsAt, int typesAt, int columnCount, int metaAt, int metaEnd) {
        if (definitions != null && Arrays.equals(definitions, 0, definitions.length, raw, defsAt, metaEnd)) {
            return fields;
        }
        if (columnCount != metadata.columns().size()) {
            throw new IllegalArgumentException("the table map has " + columnCount + " columns, the metadata "
                    + metadata.columns().size());
        }
        Kind[] kinds = kinds(raw, typesAt, columnCount, metaAt, metaEnd);
        fields = kinds == null ? NONE : encode(kinds);
        definitions = Arrays.copyOfRange(raw, defsAt, metaEnd);
        return fields;
    }

    /** Classifies each column from its table map type, and an enum or set from the real type in its metadata. */
    private static Kind[] kinds(byte[] raw, int typesAt, int columnCount, int metaAt, int metaEnd) {
        Kind[] kinds = new Kind[columnCount];
        int m = metaAt;
        for (int i = 0; i < columnCount; i++) {
            int type = raw[typesAt + i] & 0xff;
            int metaLength = metadataLength(type);
            if (metaLength < 0 || m + metaLength > metaEnd) {
                return null;
            }
            kinds[i] = switch (type) {
                // MySQL's has_signedess_information_type: YEAR too, always written as signed
                case ColumnTypes.TINY, ColumnTypes.SHORT, ColumnTypes.INT24, ColumnTypes.LONG, ColumnTypes.LONGLONG,
                     ColumnTypes.DECIMAL, ColumnTypes.NEWDECIMAL, ColumnTypes.FLOAT, ColumnTypes.DOUBLE -> Kind.NUMERIC;
                case ColumnTypes.YEAR -> Kind.YEAR;
                case ColumnTypes.VARCHAR, ColumnTypes.VAR_STRING, ColumnTypes.BLOB -> Kind.CHARACTER;
                case ColumnTypes.STRING -> stringKind(raw[m] & 0xff);
                default -> Kind.OTHER;
            };
            m += metaLength;
        }
        return m == metaEnd ? kinds : null;
    }

    /**
     * A CHAR, ENUM or SET column is a STRING in a table map; the first metadata byte holds the real type, with two
     * bits of a CHAR's length folded into it when the length is above 255 (the real type's bits 0x30 then not both set).
     */
    private static Kind stringKind(int realTypeByte) {
        if ((realTypeByte & 0x30) != 0x30) {
            return Kind.CHARACTER;
        }
        return switch (realTypeByte) {
            case ColumnTypes.ENUM -> Kind.ENUM;
            case ColumnTypes.SET -> Kind.SET;
            default -> Kind.CHARACTER;
        };
    }

    /** Bytes of type metadata a column of this table map type carries; -1 for a type this encoder does not know. */
    private static int metadataLength(int type) {
        return switch (type) {
            case ColumnTypes.DECIMAL, ColumnTypes.TINY, ColumnTypes.SHORT, ColumnTypes.LONG, ColumnTypes.NULL,
                 ColumnTypes.TIMESTAMP, ColumnTypes.LONGLONG, ColumnTypes.INT24, ColumnTypes.DATE, ColumnTypes.TIME,
                 ColumnTypes.DATETIME, ColumnTypes.YEAR, ColumnTypes.NEWDATE -> 0;
            case ColumnTypes.FLOAT, ColumnTypes.DOUBLE, ColumnTypes.TIMESTAMP2, ColumnTypes.DATETIME2,
                 ColumnTypes.TIME2, ColumnTypes.JSON, ColumnTypes.TINY_BLOB, ColumnTypes.MEDIUM_BLOB,
                 ColumnTypes.LONG_BLOB, ColumnTypes.BLOB, ColumnTypes.GEOMETRY -> 1;
            case ColumnTypes.VARCHAR, ColumnTypes.BIT, ColumnTypes.NEWDECIMAL, ColumnTypes.ENUM, ColumnTypes.SET,
                 ColumnTypes.VAR_STRING, ColumnTypes.STRING -> 2;
            default -> -1;
        };
    }

    /** The fields in the order MySQL writes them. */
    private byte[] encode(Kind[] kinds) {
        List<TableMetadata.Column> columns = metadata.columns();
        Fields out = new Fields();
        signedness(out, kinds, columns);
        charsets(out, kinds, columns, Kind.CHARACTER, null, DEFAULT_CHARSET, COLUMN_CHARSET);
        Fields names = new Fields();
        for (TableMetadata.Column c : columns) {
            names.string(c.name());
        }
        out.field(COLUMN_NAME, names);
        charsets(out, kinds, columns, Kind.ENUM, Kind.SET, ENUM_AND_SET_DEFAULT_CHARSET, ENUM_AND_SET_COLUMN_CHARSET);
        values(out, kinds, columns, Kind.SET, SET_STR_VALUE);
        values(out, kinds, columns, Kind.ENUM, ENUM_STR_VALUE);
        if (!metadata.primaryKey().isEmpty()) {
            Fields key = new Fields();
            for (int index : metadata.primaryKey()) {
                key.packed(index);
            }
            out.field(SIMPLE_PRIMARY_KEY, key);
        }
        return out.toByteArray();
    }

    /** One bit per numeric or YEAR column, most significant bit first, set when unsigned. */
    private static void signedness(Fields out, Kind[] kinds, List<TableMetadata.Column> columns) {
        Fields bits = new Fields();
        int bit = 0;
        int current = 0;
        for (int i = 0; i < kinds.length; i++) {
            if (kinds[i] != Kind.NUMERIC && kinds[i] != Kind.YEAR) {
                continue;
            }
            if (kinds[i] == Kind.NUMERIC && columns.get(i).unsigned()) {
                current |= 0x80 >>> bit;
            }
            if (++bit == 8) {
                bits.write(current);
                bit = 0;
                current = 0;
            }
        }
        if (bit > 0) {
            bits.write(current);
        }
        if (bits.size() > 0) {
            out.field(SIGNEDNESS, bits);
        }
    }

    /**
     * The collations of the columns of one or two kinds, in whichever of MySQL's two forms it would pick: the most
     * used collation plus (index among these columns, collation) for the others, or one collation per column when
     * that is shorter (MySQL compares the sizes counting one byte per number).
     */
    private static void charsets(Fields out, Kind[] kinds, List<TableMetadata.Column> columns, Kind kind,
                                 Kind otherKind, int defaultType, int columnType) {
        TreeMap<Integer, Integer> uses = new TreeMap<>();
        int count = 0;
        for (int i = 0; i < kinds.length; i++) {
            if (kinds[i] == kind || kinds[i] == otherKind) {
                uses.merge(collation(columns.get(i)), 1, Integer::sum);
                count++;
            }
        }
        if (count == 0) {
            return;
        }
        int mostUsed = 0;
        int mostUses = 0;
        for (var e : uses.entrySet()) {
            if (e.getValue() > mostUses) {
                mostUsed = e.getKey();
                mostUses = e.getValue();
            }
        }
        Fields value = new Fields();
        if (count < 1 + (count - mostUses) * 2) {
            for (int i = 0; i < kinds.length; i++) {
                if (kinds[i] == kind || kinds[i] == otherKind) {
                    value.packed(collation(columns.get(i)));
                }
            }
            out.field(columnType, value);
        } else {
            value.packed(mostUsed);
            int index = 0;
            for (int i = 0; i < kinds.length; i++) {
                if (kinds[i] == kind || kinds[i] == otherKind) {
                    int collation = collation(columns.get(i));
                    if (collation != mostUsed) {
                        value.packed(index);
                        value.packed(collation);
                    }
                    index++;
                }
            }
            out.field(defaultType, value);
        }
    }

    private static int collation(TableMetadata.Column c) {
        return c.collationId() == 0 ? BINARY_COLLATION : c.collationId();
    }

    private static void values(Fields out, Kind[] kinds, List<TableMetadata.Column> columns, Kind kind, int type) {
        Fields value = new Fields();
        for (int i = 0; i < kinds.length; i++) {
            if (kinds[i] == kind) {
                List<String> members = columns.get(i).values();
                value.packed(members.size());
                for (String member : members) {
                    value.string(member);
                }
            }
        }
        if (value.size() > 0) {
            out.field(type, value);
        }
    }

    /** Bytes of one field's value, or of all fields. */
    private static final class Fields extends ByteArrayOutputStream {

        void field(int type, Fields value) {
            write(type);
            packed(value.size());
            write(value.buf, 0, value.count);
        }

        void string(String s) {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            packed(bytes.length);
            write(bytes, 0, bytes.length);
        }

        /** MySQL's length-encoded integer (values here are far below 2^24). */
        void packed(int v) {
            if (v < 251) {
                write(v);
            } else if (v < 0x1_0000) {
                write(0xfc);
                write(v);
                write(v >>> 8);
            } else {
                write(0xfd);
                write(v);
                write(v >>> 8);
                write(v >>> 16);
            }
        }
    }
}
