package io.gbinlog.integration.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** A second JVM on the test class path, to be killed the hard way; its stdout arrives line by line. */
public final class ChildJvm implements AutoCloseable {

    private static final String EOF = "\u0000eof";

    private final Process process;
    private final BlockingQueue<String> lines = new ArrayBlockingQueue<>(10_000);
    private final List<String> seen = new ArrayList<>();

    private ChildJvm(Process process) {
        this.process = process;
        Thread pump = new Thread(() -> {
            try (BufferedReader reader = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    lines.offer(line);
                }
            } catch (IOException ignored) {
                // the child is gone
            }
            lines.offer(EOF);
        }, "child-jvm-stdout");
        pump.setDaemon(true);
        pump.start();
    }

    public static ChildJvm start(Class<?> main, String... args) throws IOException {
        return start(List.of(), main, args);
    }

    /** @param jvmOptions options of the child JVM itself, e.g. {@code -Xmx128m} */
    public static ChildJvm start(List<String> jvmOptions, Class<?> main, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(List.of(args));
        return new ChildJvm(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /** Waits for a line starting with {@code prefix} and returns the rest of it. */
    public String awaitLine(String prefix, long timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
        while (true) {
            String line = lines.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null || line.equals(EOF)) {
                boolean ended = line != null && process.waitFor(5, TimeUnit.SECONDS);
                throw new AssertionError("child JVM did not print '" + prefix + "' ("
                        + (ended ? "exit code " + process.exitValue() : "alive: " + process.isAlive())
                        + "); its output:\n" + String.join("\n", seen));
            }
            seen.add(line);
            if (line.startsWith(prefix)) {
                return line.substring(prefix.length()).trim();
            }
        }
    }

    /** SIGKILL: no shutdown hook, no socket closed by anything but the kernel. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /**
     * SIGTERM: the child's own shutdown runs (signal handlers, shutdown hooks). Sent through the process handle:
     * {@link Process#destroy()} would also close our end of its output, losing what it prints while it stops.
     */
    public void terminate() {
        process.toHandle().destroy();
    }

    public int waitFor(long timeoutSeconds) throws InterruptedException {
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            throw new AssertionError("child JVM still running after " + timeoutSeconds + " s");
        }
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            kill();
        }
    }
}
