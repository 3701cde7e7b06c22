package io.securerelay.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A child process spoken to in lines: its output (stdout and stderr merged) is queued line by
 * line and kept for failure messages; waits have timeouts. Closing it stops the process and all
 * its descendants.
 */
class LineProcess implements AutoCloseable {

    private final String name;
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> transcript = new CopyOnWriteArrayList<>();
    private final Writer stdin;
    private final Thread reader;

    LineProcess(String name, ProcessBuilder builder) throws IOException {
        this.name = name;
        this.process = builder.redirectErrorStream(true).start();
        this.stdin = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        this.reader = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = out.readLine()) != null; ) {
                    transcript.add(line);
                    lines.add(line);
                }
            } catch (IOException e) {
                transcript.add("<output closed: " + e + ">");
            }
        }, name + "-output");
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Waits until the process's output is read to its end (after it exited), so that
     * {@link #transcript()} holds every line it wrote.
     */
    void awaitOutputEnd(Duration timeout) throws InterruptedException {
        reader.join(timeout.toMillis());
        if (reader.isAlive()) {
            throw new AssertionError(name + ": output still open " + timeout + " after the process exited");
        }
    }

    /** Writes one line to the process's standard input. */
    void println(String line) throws IOException {
        stdin.write(line);
        stdin.write('\n');
        stdin.flush();
    }

    /** The next output line matching {@code wanted}, skipping others; fails after {@code timeout}. */
    String await(Predicate<String> wanted, Duration timeout, String what) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(left, TimeUnit.NANOSECONDS) : null;
            if (line == null) {
                throw new AssertionError(name + ": no " + what + " within " + timeout
                        + (process.isAlive() ? "" : " (process exited with " + process.exitValue() + ")")
                        + "; output was:\n" + String.join("\n", transcript));
            }
            if (wanted.test(line)) {
                return line;
            }
        }
    }

    /** The next output line, whatever it is; fails after {@code timeout}. */
    String nextLine(Duration timeout) throws InterruptedException {
        return await(l -> true, timeout, "output line");
    }

    @Override
    public String toString() {
        return name;
    }

    String transcript() {
        return String.join("\n", transcript);
    }

    Process process() {
        return process;
    }

    /** Stops the process politely (SIGTERM), then forcibly, with its descendants. */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> family = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        for (ProcessHandle child : family) {
            if (child.isAlive()) {
                child.destroy();
                if (!child.onExit().completeOnTimeout(null, 30, TimeUnit.SECONDS).join().isAlive()) {
                    continue;
                }
                child.destroyForcibly();
            }
        }
    }
}
