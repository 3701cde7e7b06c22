package io.securerelay.relay.payara6;

import jakarta.websocket.Session;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Proxy;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;


/**
 * The executor that takes Tyrus' per-frame idle-timer tasks off Payara's managed executor: a
 * no-delay idle-timeout task (no timeout set: a no-op by Tyrus' own code) is skipped, everything
 * else runs. The relay-level effect is measured by the benchmark (docs/BENCHMARKS.md).
 */
class TyrusIdleTimersTest {

    private final TyrusIdleTimers timers = new TyrusIdleTimers(r -> {
        Thread t = new Thread(r, "test-tyrus-timers");
        t.setDaemon(true);
        return t;
    });

    @AfterEach
    void stop() {
        timers.shutdownNow();
    }

    /** An instance of Tyrus' own idle-timeout task class (never run here). */
    private static Runnable tyrusIdleTimeoutCommand() throws Exception {
        Class<?> session = Class.forName("org.glassfish.tyrus.core.TyrusSession");
        Class<?> command = Class.forName("org.glassfish.tyrus.core.TyrusSession$IdleTimeoutCommand");
        Constructor<?> c = command.getDeclaredConstructor(session);
        c.setAccessible(true);
        return (Runnable) c.newInstance((Object) null);
    }

    @Test
    void noDelayIdleTimeoutTaskIsSkippedNotQueued() throws Exception {
        ScheduledFuture<?> f = timers.schedule(tyrusIdleTimeoutCommand(), 0, TimeUnit.MILLISECONDS);
        assertTrue(f.isDone());
        assertFalse(f.cancel(false), "nothing to cancel");
        assertEquals(0, timers.getQueue().size());
        assertEquals(0, timers.getTaskCount(), "the task never reached the executor");
    }

    @Test
    void idleTimeoutTaskWithATimeoutIsScheduled() throws Exception {
        ScheduledFuture<?> f = timers.schedule(tyrusIdleTimeoutCommand(), 60, TimeUnit.SECONDS);
        assertFalse(f.isDone());
        assertEquals(1, timers.getQueue().size());
        assertTrue(f.cancel(false));
        assertEquals(0, timers.getQueue().size(), "remove on cancel");
    }

    @Test
    void otherTasksRunEvenWithoutDelay() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        timers.schedule(ran::countDown, 0, TimeUnit.MILLISECONDS);
        assertTrue(ran.await(10, TimeUnit.SECONDS));
    }

    @Test
    void aNonTyrusSessionIsLeftAlone() {
        Session other = (Session) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Session.class},
                (proxy, method, args) -> {
                    throw new AssertionError("not to be called: " + method);
                });
        assertFalse(timers.adopt(other));
    }

    @Test
    void tyrusStillHasTheFieldThatIsSwapped() throws Exception {
        // If a Tyrus upgrade renames it, the relay still works (one warning), but slower: fail here first.
        Field f = Class.forName("org.glassfish.tyrus.core.TyrusSession").getDeclaredField("service");
        assertEquals(ScheduledExecutorService.class, f.getType());
    }

    @Test
    void aTyrusContainerHandsOutThisExecutorToNewSessions() throws Exception {
        org.glassfish.tyrus.client.ClientManager container = org.glassfish.tyrus.client.ClientManager.createClient();
        try {
            assertTrue(timers.swapContainerExecutor(container, org.glassfish.tyrus.core.BaseContainer.class),
                    "Tyrus' BaseContainer still has managedScheduledExecutorService");
            assertTrue(container.getScheduledExecutorService() == timers,
                    "what a new TyrusSession takes as its timer executor");
        } finally {
            container.shutdown();
        }
    }

    /**
     * The hook runs only on the Tyrus build it was tested on (Payara's 2.1.5.payara-p2): the Tyrus
     * of this class path is Maven Central's 2.1.5, so it stays off and the container keeps its own
     * executor.
     */
    @Test
    void anUntestedTyrusVersionKeepsItsOwnExecutor() {
        assertEquals("2.1.5", ContainerHooks.version(ContainerHooks.Hook.TYRUS_IDLE_TIMERS,
                org.glassfish.tyrus.core.BaseContainer.class), "the version as Tyrus' jar states it");
        assertEquals(java.util.Set.of("2.1.5.payara-p2"), ContainerHooks.Hook.TYRUS_IDLE_TIMERS.tested);
        org.glassfish.tyrus.client.ClientManager container = org.glassfish.tyrus.client.ClientManager.createClient();
        try {
            assertFalse(timers.adoptContainer(container));
            assertTrue(container.getScheduledExecutorService() != timers);
            assertEquals(ContainerHooks.State.UNTESTED, ContainerHooks.state(ContainerHooks.Hook.TYRUS_IDLE_TIMERS));
        } finally {
            container.shutdown();
        }
    }

    @Test
    void somethingElseIsLeftAlone() {
        assertFalse(timers.adoptContainer(new Object()));
        assertFalse(timers.adoptContainer(null));
    }
}
