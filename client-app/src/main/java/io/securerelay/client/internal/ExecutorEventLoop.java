package io.securerelay.client.internal;

import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The event loop of a running client: a single-threaded {@link ScheduledExecutorService} and the
 * JVM's monotonic clock. The only place the client reads {@code System.nanoTime()}.
 */
public final class ExecutorEventLoop implements EventLoop {

    private final ScheduledExecutorService executor;

    /** @param executor single-threaded (the conversation's state is not locked) */
    public ExecutorEventLoop(ScheduledExecutorService executor) {
        this.executor = executor;
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }

    @Override
    public void execute(Runnable task) {
        executor.execute(task);
    }

    @Override
    public Timer schedule(Duration delay, Runnable task) {
        return cancelling(executor.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS));
    }

    @Override
    public Timer every(Duration period, Runnable task) {
        long nanos = period.toNanos();
        return cancelling(executor.scheduleWithFixedDelay(task, nanos, nanos, TimeUnit.NANOSECONDS));
    }

    private static Timer cancelling(ScheduledFuture<?> future) {
        return () -> future.cancel(false);
    }
}
