package io.securerelay.client.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.PriorityQueue;
import java.util.function.BooleanSupplier;

/**
 * An {@link EventLoop} for tests: tasks run on the test's thread when the test says so, and time
 * moves only when the test advances it, so timers (resends, cover traffic, lingering, deadlines)
 * fire at exact instants and no test waits. {@link #clock()} is a wall clock on the same time.
 * Not thread-safe: one test thread drives it.
 */
final class ManualEventLoop implements EventLoop {

    /** Where the wall clock starts. */
    static final Instant START = Instant.parse("2026-01-01T00:00:00Z");

    private final class Entry implements Timer {
        final Runnable task;
        final long period;
        long due;
        final long order;
        boolean cancelled;

        Entry(Runnable task, long due, long period) {
            this.task = task;
            this.due = due;
            this.period = period;
            this.order = sequence++;
        }

        @Override
        public void cancel() {
            cancelled = true;
            timers.remove(this);
        }
    }

    private final ArrayDeque<Runnable> ready = new ArrayDeque<>();
    private final PriorityQueue<Entry> timers = new PriorityQueue<>((a, b) -> a.due != b.due
            ? Long.compare(a.due, b.due) : Long.compare(a.order, b.order));
    private long now;
    private long sequence;

    @Override
    public long nanoTime() {
        return now;
    }

    @Override
    public void execute(Runnable task) {
        ready.add(task);
    }

    @Override
    public Timer schedule(Duration delay, Runnable task) {
        Entry e = new Entry(task, now + delay.toNanos(), 0);
        timers.add(e);
        return e;
    }

    @Override
    public Timer every(Duration period, Runnable task) {
        Entry e = new Entry(task, now + period.toNanos(), period.toNanos());
        timers.add(e);
        return e;
    }

    /** The time elapsed since the loop was made. */
    Duration elapsed() {
        return Duration.ofNanos(now);
    }

    /** A wall clock that shows {@link #START} plus the loop's time. */
    Clock clock() {
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Instant instant() {
                return START.plusNanos(now);
            }
        };
    }

    /** Tasks in a row without time moving that mean the tasks feed each other forever. */
    private static final int RUNAWAY = 1_000_000;

    /** Runs the tasks ready now, and those they submit, until none is left; time stands still. */
    void runReady() {
        int n = 0;
        for (Runnable r; (r = ready.poll()) != null; ) {
            if (++n > RUNAWAY) {
                throw new AssertionError(RUNAWAY + " tasks without time moving: they submit each other forever");
            }
            r.run();
        }
    }

    /** Moves time on by {@code d}, running every task due on the way at its own instant, in order. */
    void advance(Duration d) {
        long until = now + d.toNanos();
        runReady();
        while (!timers.isEmpty() && timers.peek().due <= until) {
            fireNext();
            runReady();
        }
        now = until;
    }

    /**
     * Runs ready tasks, jumping time to the next timer whenever none is ready, until {@code done}
     * holds.
     *
     * @throws AssertionError if it does not hold within {@code limit} of loop time
     */
    void runUntil(BooleanSupplier done, Duration limit, String what) {
        long until = now + limit.toNanos();
        runReady();
        while (!done.getAsBoolean()) {
            if (timers.isEmpty() || timers.peek().due > until) {
                throw new AssertionError(what + " did not happen within " + limit + " of loop time");
            }
            fireNext();
            runReady();
        }
    }

    private void fireNext() {
        Entry e = timers.poll();
        now = Math.max(now, e.due);
        e.task.run();
        if (e.period > 0 && !e.cancelled) {
            e.due = now + e.period;
            timers.add(e);
        }
    }
}
