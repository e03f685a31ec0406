package io.gbinlog.collector.ordering;

/**
 * Binlog positions of one stream that must be read again after a restart, in stream order, each with
 * {@code floor_k} when it was read: entries are added in position order and retired in any order, so the
 * earliest live one is found in amortised constant time (retired entries are skipped at the head).
 * An entry is addressed by the sequence number {@link #add} returns.
 */
final class PositionLedger {

    private long[] positions = new long[16];
    private long[] floors = new long[16];
    private boolean[] retired = new boolean[16];
    private long head;
    private long tail;

    long add(long position, long floor) {
        if (tail - head == positions.length) {
            grow();
        }
        int i = index(tail);
        positions[i] = position;
        floors[i] = floor;
        retired[i] = false;
        return tail++;
    }

    void retire(long seq) {
        retired[index(seq)] = true;
    }

    /** The position of the earliest live entry, or {@code Long.MAX_VALUE} when there is none. */
    long firstPosition() {
        while (head < tail && retired[index(head)]) {
            head++;
        }
        return head < tail ? positions[index(head)] : Long.MAX_VALUE;
    }

    /** The floor recorded with the earliest live entry; call {@link #firstPosition} first. */
    long firstFloor() {
        return floors[index(head)];
    }

    private int index(long seq) {
        return (int) seq & (positions.length - 1);
    }

    private void grow() {
        int n = positions.length * 2;
        long[] p = new long[n];
        long[] f = new long[n];
        boolean[] r = new boolean[n];
        for (long s = head; s < tail; s++) {
            int from = index(s);
            int to = (int) s & (n - 1);
            p[to] = positions[from];
            f[to] = floors[from];
            r[to] = retired[from];
        }
        positions = p;
        floors = f;
        retired = r;
    }
}
