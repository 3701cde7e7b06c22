package io.securerelay.relay.payara6;

import jakarta.websocket.Session;
import java.lang.reflect.Field;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Takes Tyrus' per-frame idle-timer work off Payara's managed executor.
 *
 * <p>Tyrus (2.1, as shipped in Payara 6) restarts a session's idle timer on every message received
 * and every message sent, by scheduling a task on its container's scheduled executor, even when the
 * session has no idle timeout ({@code maxIdleTimeout = 0}: the task then does nothing). In Payara
 * that executor is {@code java:comp/DefaultManagedScheduledExecutorService}, which captures the
 * thread context for every task, and the capture runs a {@code ServiceLoader} over the web
 * application's class loader: a class-path scan behind one global lock, twice per relayed frame.
 * Measured here (docs/BENCHMARKS.md): every worker thread blocked on {@code URLClassPath}, and
 * 2.6x to 2.8x more frames relayed once this class took the tasks away (docs/PAYARA-NOTES.md;
 * Payara issue 8385 describes the same path).
 *
 * <p>The relay turns Tyrus' idle timeout off (it runs its own keep-alive, {@link KeepAlive}), so
 * each connection's Tyrus session is given this executor instead: an idle-timeout task scheduled
 * with no delay (that is, with no timeout set) is a no-op by Tyrus' own code and is not run at
 * all; anything else runs on one plain timer thread. The swap uses reflection on Tyrus' private
 * field; if Tyrus changes, the relay logs one warning and keeps working, only slower. The
 * application's WebSocket container gets the same executor at start ({@link #adoptContainer}), for
 * the timer a new session schedules before {@code @OnOpen}.
 */
public final class TyrusIdleTimers extends ScheduledThreadPoolExecutor {

    private static final Logger LOG = Logger.getLogger(TyrusIdleTimers.class.getName());
    private static final String TYRUS_SESSION = "org.glassfish.tyrus.core.TyrusSession";
    private static final String IDLE_TIMEOUT_COMMAND = TYRUS_SESSION + "$IdleTimeoutCommand";
    private static final String TYRUS_CONTAINER = "org.glassfish.tyrus.core.BaseContainer";
    private static volatile boolean warned;

    public TyrusIdleTimers(ThreadFactory threads) {
        super(1, threads);
        setRemoveOnCancelPolicy(true);
        setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        if (delay <= 0 && command.getClass().getName().equals(IDLE_TIMEOUT_COMMAND)) {
            return Done.INSTANCE;
        }
        return super.schedule(command, delay, unit);
    }

    /**
     * Gives {@code session} this executor for its idle and heartbeat timers, if it is a Tyrus
     * session. Returns whether it did.
     */
    public boolean adopt(Session session) {
        Class<?> c = session.getClass();
        if (!c.getName().equals(TYRUS_SESSION) || !ContainerHooks.allowed(ContainerHooks.Hook.TYRUS_IDLE_TIMERS, c)) {
            return false;
        }
        try {
            Field f = c.getDeclaredField("service");
            if (!ScheduledExecutorService.class.isAssignableFrom(f.getType())) {
                throw new NoSuchFieldException("service is a " + f.getType());
            }
            f.setAccessible(true);
            f.set(session, this);
            ContainerHooks.worked(ContainerHooks.Hook.TYRUS_IDLE_TIMERS);
            return true;
        } catch (ReflectiveOperationException | RuntimeException e) {
            ContainerHooks.fellBack(ContainerHooks.Hook.TYRUS_IDLE_TIMERS);
            if (!warned) {
                warned = true;
                LOG.log(Level.WARNING, "cannot move Tyrus'' idle timers off the managed executor ({0}):"
                        + " every frame will cost a thread-context capture", e.toString());
            }
            return false;
        }
    }

    /**
     * Gives the application's Tyrus WebSocket container ({@code BaseContainer}, the server container
     * of the servlet context) this executor in place of Payara's managed one. Each new
     * {@code TyrusSession} takes its timer executor from there and schedules its first idle timer
     * in its constructor, before {@code @OnOpen} can {@link #adopt} it: without this, every new
     * connection still pays one context capture (measured: a tenth of the relay's CPU while it
     * accepts connections). Returns whether it did.
     */
    public boolean adoptContainer(Object container) {
        try {
            if (container == null) {
                throw new NoSuchFieldException("no WebSocket container in the servlet context");
            }
            Class<?> base = null;
            for (Class<?> c = container.getClass(); c != null && base == null; c = c.getSuperclass()) {
                if (c.getName().equals(TYRUS_CONTAINER)) {
                    base = c;
                }
            }
            if (base == null) {
                throw new NoSuchFieldException("not a Tyrus container: " + container.getClass().getName());
            }
            if (!ContainerHooks.allowed(ContainerHooks.Hook.TYRUS_IDLE_TIMERS, base)) {
                return false;
            }
            return swapContainerExecutor(container, base);
        } catch (ReflectiveOperationException | RuntimeException e) {
            ContainerHooks.fellBack(ContainerHooks.Hook.TYRUS_IDLE_TIMERS);
            LOG.log(Level.WARNING, "cannot give Tyrus'' WebSocket container a plain timer executor ({0}): every new"
                    + " connection will cost a thread-context capture", e.toString());
            return false;
        }
    }

    /** The swap itself, on a Tyrus {@code BaseContainer} ({@code base}: that class), whatever its version. */
    boolean swapContainerExecutor(Object container, Class<?> base) throws ReflectiveOperationException {
        Field f = base.getDeclaredField("managedScheduledExecutorService");
        if (!f.getType().isAssignableFrom(ScheduledExecutorService.class)) {
            throw new NoSuchFieldException("managedScheduledExecutorService is a " + f.getType());
        }
        f.setAccessible(true);
        f.set(container, this);
        ContainerHooks.worked(ContainerHooks.Hook.TYRUS_IDLE_TIMERS);
        return true;
    }

    /** A future of a task that was never needed: done, not cancellable. */
    private static final class Done implements ScheduledFuture<Object> {
        static final Done INSTANCE = new Done();

        @Override
        public long getDelay(TimeUnit unit) {
            return 0;
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(0, o.getDelay(TimeUnit.NANOSECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            return false;
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean isDone() {
            return true;
        }

        @Override
        public Object get() {
            return null;
        }

        @Override
        public Object get(long timeout, TimeUnit unit) {
            return null;
        }
    }
}
