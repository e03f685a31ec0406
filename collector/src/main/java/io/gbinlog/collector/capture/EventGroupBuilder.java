package io.gbinlog.collector.capture;

import java.util.Arrays;

/** Collects the raw bodies of one event group while it is read; reused from group to group. */
final class EventGroupBuilder {

    private byte[] buffer = new byte[4096];
    private int used;
    private int[] offsets = new int[16];
    private int[] lengths = new int[16];
    private byte[] types = new byte[16];
    private int count;
    private boolean ddl;
    private boolean writesDdlLog;

    /**
     * Keeps a copy of an event body. Memory grows with the transaction: a transaction larger than the heap
     * should allows would have to spill here (to a file the payload then refers to); not done yet.
     */
    int add(int type, byte[] body) {
        if (used + body.length > buffer.length) {
            long needed = (long) used + body.length;
            if (needed > Integer.MAX_VALUE - 8) {
                throw new IllegalStateException("transaction larger than 2 GiB; spilling large transactions to disk"
                        + " is not implemented");
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
        return count++;
    }

    void markDdl() {
        ddl = true;
    }

    void markDdlLog() {
        writesDdlLog = true;
    }

    boolean isEmpty() {
        return count == 0;
    }

    int size() {
        return count;
    }

    int type(int i) {
        return types[i] & 0xff;
    }

    byte[] body(int i) {
        return Arrays.copyOfRange(buffer, offsets[i], offsets[i] + lengths[i]);
    }

    /** The group as read, sized exactly; the builder is then ready for the next group. */
    EventGroup build() {
        EventGroup group = new EventGroup(Arrays.copyOf(buffer, used), Arrays.copyOf(offsets, count),
                Arrays.copyOf(lengths, count), Arrays.copyOf(types, count), ddl, writesDdlLog);
        clear();
        return group;
    }

    void clear() {
        used = 0;
        count = 0;
        ddl = false;
        writesDdlLog = false;
        if (buffer.length > 1 << 20) {
            buffer = new byte[4096]; // one huge transaction must not pin its memory for ever
        }
    }
}
