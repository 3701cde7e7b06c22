package io.securerelay.client.internal;

import java.time.Duration;

/**
 * The one thread a {@link Conversation} runs on, its timers, and the monotonic time they keep.
 * Tasks run one at a time, never concurrently, so the conversation's state needs no locks.
 * {@link ExecutorEventLoop} runs on a real thread and real time; a test drives a manual loop and
 * advances its time instead of waiting.
 */
public interface EventLoop {

    /** A pending timer. */
    interface Timer {
        /** The task will not run (again); a run already under way finishes. */
        void cancel();
    }

    /** Monotonic time in nanoseconds: only differences mean anything (like {@code System.nanoTime()}). */
    long nanoTime();

    /** Runs {@code task} on the loop, after the tasks already submitted. Callable from any thread. */
    void execute(Runnable task);

    /** Runs {@code task} on the loop once, {@code delay} from now. */
    Timer schedule(Duration delay, Runnable task);

    /** Runs {@code task} on the loop every {@code period}: first after one period, then one period after each run. */
    Timer every(Duration period, Runnable task);
}
