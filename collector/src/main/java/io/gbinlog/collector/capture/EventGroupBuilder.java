package io.gbinlog.collector.capture;

import io.gbinlog.protocol.binlog.EventType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Collects the raw bodies of one event group while it is read; reused from group to group. Past the spill threshold
 * the bodies collected so far go to a spill file as one chunk and collecting starts again from an empty buffer, so a
 * transaction of any size costs at most the threshold plus one event of heap.
 */
final class EventGroupBuilder {

    private static final int RETAINED_BUFFER = 1 << 20;

    private final SpillDirectory spillDirectory;
    private final int stream;
    private byte[] buffer = new byte[4096];
    private int used;
    private int[] offsets = new int[16];
    private int[] lengths = new int[16];
    private byte[] types = new byte[16];
    private int count;
    /** Events of this group already in {@link #spilling}; indexes below it are on disk. */
    private int spilled;
    private SpillFile.Writer spilling;
    private boolean ddl;
    private boolean writesDdlLog;
    private long ddlId = -1;
    private final List<LogicalDdl> logicalDdls = new ArrayList<>();

    /** A builder that never spills. */
    EventGroupBuilder() {
        this(null, -1);
    }

    /** @param spillDirectory where groups past its threshold go; null: they stay in memory */
    EventGroupBuilder(SpillDirectory spillDirectory, int stream) {
        this.spillDirectory = spillDirectory;
        this.stream = stream;
    }

    /** Keeps a copy of an event body; returns its index in the group. */
    int add(int type, byte[] body) {
        // Never before a table map: the statement text before it must stay in the same chunk (see EventGroup).
        if (spillDirectory != null && used >= spillDirectory.thresholdBytes() && count > 0
                && type != EventType.TABLE_MAP) {
            spillChunk();
        }
        if (used + body.length > buffer.length) {
            long needed = (long) used + body.length;
            if (needed > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("transaction larger than 2 GiB in memory; set"
                        + " collector.spillThreshold to spill large transactions to disk");
            }
            buffer = Arrays.copyOf(buffer, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(needed, 2L * buffer.length)));
        }
        if (count == types.length) {
            offsets = Arrays.copyOf(offsets, count * 2);
            lengths = Arrays.copyOf(lengths, count * 2);
            types = Arrays.copyOf(types, count * 2);
        }
        System.arraycopy(body, 0, buffer, used, body.length);
        offsets[count] = used;
        lengths[count] = body.length;
        types[count] = (byte) type;
        used += body.length;
        return spilled + count++;
    }

    private void spillChunk() {
        if (spilling == null) {
            spilling = new SpillFile.Writer(spillDirectory.newFile(stream));
        }
        spilling.writeChunk(buffer, offsets, lengths, types, count, used);
        spilled += count;
        used = 0;
        count = 0;
    }

    void markDdl() {
        ddl = true;
    }

    void markDdlLog() {
        writesDdlLog = true;
    }

    /** The DDL carries the protocol's marker with this id. */
    void markProtocolDdl(long id) {
        ddlId = id;
    }

    void addLogicalDdls(List<LogicalDdl> rows) {
        logicalDdls.addAll(rows);
    }

    boolean isEmpty() {
        return spilled + count == 0;
    }

    int size() {
        return spilled + count;
    }

    int type(int i) {
        return types[inMemory(i)] & 0xff;
    }

    byte[] body(int i) {
        int at = inMemory(i);
        return Arrays.copyOfRange(buffer, offsets[at], offsets[at] + lengths[at]);
    }

    private int inMemory(int i) {
        if (i < spilled) {
            throw new IllegalStateException("event " + i + " of the group being read is already in a spill file");
        }
        return i - spilled;
    }

    /** The group as read, sized exactly (or spilled whole); the builder is then ready for the next group. */
    EventGroup build() {
        EventGroup group;
        if (spilling == null) {
            group = new EventGroup(Arrays.copyOf(buffer, used), Arrays.copyOf(offsets, count),
                    Arrays.copyOf(lengths, count), Arrays.copyOf(types, count), ddl, writesDdlLog, ddlId, logicalDdls);
        } else {
            if (count > 0) {
                spillChunk();
            }
            group = EventGroup.spilled(spilling, ddl, writesDdlLog, ddlId, logicalDdls);
            spilling = null;
        }
        clear();
        return group;
    }

    void clear() {
        if (spilling != null) {
            spilling.discard();
            spilling = null;
        }
        spilled = 0;
        ddl = false;
        writesDdlLog = false;
        ddlId = -1;
        logicalDdls.clear();
        used = 0;
        count = 0;
        if (buffer.length > RETAINED_BUFFER) {
            buffer = new byte[4096]; // one huge transaction must not pin its memory for ever
        }
    }
}
