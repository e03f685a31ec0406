package io.gbinlog.merger.writer;

/** A place in the global binlog: a file name such as {@code binlog.000003} and a byte position in it. */
public record BinlogPosition(String file, long position) implements Comparable<BinlogPosition> {
    public BinlogPosition {
        SegmentName.number(file); // validates
        if (position < 0) {
            throw new IllegalArgumentException("negative binlog position " + position + " in " + file);
        }
    }

    @Override
    public int compareTo(BinlogPosition o) {
        int byFile = Long.compare(SegmentName.number(file), SegmentName.number(o.file));
        return byFile != 0 ? byFile : Long.compare(position, o.position);
    }

    @Override
    public String toString() {
        return file + ":" + position;
    }
}
