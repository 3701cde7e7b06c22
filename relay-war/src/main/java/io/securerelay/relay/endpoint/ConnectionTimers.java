package io.securerelay.relay.endpoint;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The scheduled tasks of one connection (registration timeout, keep-alive), cancelled together
 * when it closes: no task outlives its connection. A task scheduled after {@link #cancelAll()} is
 * cancelled at once. With an executor whose remove-on-cancel policy is on
 * ({@link RelayScheduler}), a cancelled task also leaves the executor's queue at once.
 */
final class ConnectionTimers {

    private final ScheduledExecutorService executor;
    private final List<ScheduledFuture<?>> tasks = new ArrayList<>(2);
    private ScheduledFuture<?> registrationTimeout;
    private boolean cancelled;

    ConnectionTimers(ScheduledExecutorService executor) {
        this.executor = executor;
    }

    /** Runs {@code task} once after {@code delay}, unless registration happens first. */
    synchronized void registrationTimeout(Duration delay, Runnable task) {
        registrationTimeout = track(executor.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** Runs {@code task} once after {@code delay}, unless the connection closes first. */
    synchronized void once(Duration delay, Runnable task) {
        track(executor.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** Runs {@code task} every {@code period}, until the connection closes. */
    synchronized void every(Duration period, Runnable task) {
        track(executor.scheduleAtFixedRate(task, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** The connection registered: its registration timeout is no longer needed. */
    synchronized void registered() {
        if (registrationTimeout != null) {
            registrationTimeout.cancel(false);
            tasks.remove(registrationTimeout);
            registrationTimeout = null;
        }
    }

    /** Cancels every task of the connection; later ones are cancelled when scheduled. */
    synchronized void cancelAll() {
        cancelled = true;
        for (ScheduledFuture<?> f : tasks) {
            f.cancel(false);
        }
        tasks.clear();
        registrationTimeout = null;
    }

    synchronized int activeTasks() {
        return tasks.size();
    }

    private ScheduledFuture<?> track(ScheduledFuture<?> f) {
        if (cancelled) {
            f.cancel(false);
        } else {
            tasks.add(f);
        }
        return f;
    }
}
