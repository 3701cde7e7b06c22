package io.securerelay.relay.endpoint;

import io.securerelay.relay.config.RelaySettings;
import io.securerelay.relay.payara6.TyrusIdleTimers;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.servlet.ServletContext;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;


/**
 * The relay's one timer thread: registration timeouts and keep-alive ticks of every connection.
 * Tasks only look at a connection and start an asynchronous ping or close, so one thread is
 * enough. Cancelled tasks leave the queue at once (remove-on-cancel), and the executor stops with
 * the application.
 */
@ApplicationScoped
public class RelayScheduler {

    /** The servlet context attribute of the WebSocket server container (Jakarta WebSocket 2.1). */
    static final String SERVER_CONTAINER = "jakarta.websocket.server.ServerContainer";

    private final ScheduledThreadPoolExecutor executor;
    private final TyrusIdleTimers tyrusTimers;

    public RelayScheduler() {
        AtomicInteger n = new AtomicInteger();
        executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "relay-timers-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        tyrusTimers = new TyrusIdleTimers(r -> {
            Thread t = new Thread(r, "relay-tyrus-timers");
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Moves the Tyrus session's own timers off Payara's managed executor ({@link TyrusIdleTimers}:
     * without it every frame costs a class-path scan). Call first thing in {@code @OnOpen}.
     */
    boolean adoptTyrusTimers(jakarta.websocket.Session session) {
        return tyrusTimers.adopt(session);
    }

    /**
     * At start: the application's WebSocket container gets the plain timer executor too, for the
     * idle timer each new Tyrus session schedules in its constructor ({@link TyrusIdleTimers}).
     */
    void adoptWebSocketContainer(@Observes @Initialized(ApplicationScoped.class) ServletContext context,
                                 RelaySettings settings) {
        if (!settings.containerHooks()) {
            return;
        }
        tyrusTimers.adoptContainer(context.getAttribute(SERVER_CONTAINER));
    }

    /**
     * Runs {@code task} on the timer thread, soon: for a close decided inside the container's read
     * callback, which must not close the connection itself (RelayUpgradeHandler).
     */
    void execute(Runnable task) {
        executor.execute(task);
    }

    /** Timers for one new connection. */
    ConnectionTimers newConnection() {
        return new ConnectionTimers(executor);
    }

    ScheduledExecutorService executor() {
        return executor;
    }

    /** Tasks waiting in the queue (for tests and monitoring: no closed connection leaves any). */
    public int queuedTasks() {
        return executor.getQueue().size();
    }

    /** Whether the timer thread was stopped (the application is going away). */
    public boolean isStopped() {
        return executor.isShutdown();
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
        tyrusTimers.shutdownNow();
    }
}
