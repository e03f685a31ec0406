package io.gbinlog.integration.collector;

import io.gbinlog.collector.capture.CaptureListener;
import io.gbinlog.collector.capture.EventGroup;
import io.gbinlog.collector.ordering.Gtrid;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Records what collectors deliver; tests wait on it for a condition with a deadline. */
final class Recorder implements CaptureListener {

    private final List<Input> inputs = new ArrayList<>();
    private final boolean keepProbes;

    Recorder(boolean keepProbes) {
        this.keepProbes = keepProbes;
    }

    @Override
    public void prepared(int stream, long position, Gtrid gtrid, EventGroup payload) {
        add(new Input(Input.Kind.PREPARED, stream, position, gtrid, 0, null, payload, 0));
    }

    @Override
    public void committed(int stream, long position, Gtrid gtrid) {
        add(new Input(Input.Kind.COMMITTED, stream, position, gtrid, 0, null, null, 0));
    }

    @Override
    public void rolledBack(int stream, long position, Gtrid gtrid) {
        add(new Input(Input.Kind.ROLLED_BACK, stream, position, gtrid, 0, null, null, 0));
    }

    @Override
    public void localCommit(int stream, long position, EventGroup payload) {
        add(new Input(Input.Kind.LOCAL, stream, position, null, 0, null, payload, 0));
    }

    @Override
    public void commitLogRow(int stream, long position, Gtrid gtrid, long cts, List<String> participants) {
        add(new Input(Input.Kind.COMMIT_LOG_ROW, stream, position, gtrid, cts, List.copyOf(participants), null, 0));
    }

    @Override
    public void probeReached(int stream, long tso) {
        if (keepProbes) {
            add(new Input(Input.Kind.PROBE, stream, 0, null, 0, null, null, tso));
        }
    }

    private synchronized void add(Input input) {
        inputs.add(input);
        notifyAll();
    }

    synchronized List<Input> inputs() {
        return List.copyOf(inputs);
    }

    synchronized List<Input> inputs(int stream) {
        return inputs.stream().filter(i -> i.stream() == stream).toList();
    }

    /** Waits until the recorded inputs satisfy {@code condition}; fails with {@code what} at the deadline. */
    synchronized void await(Predicate<List<Input>> condition, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.test(inputs)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("timed out after " + timeout + " waiting for " + what + "; recorded:\n  "
                        + String.join("\n  ", inputs.stream().map(Input::toString).toList()));
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }
}
