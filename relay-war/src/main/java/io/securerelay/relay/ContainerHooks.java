package io.securerelay.relay;

import java.util.EnumMap;
import java.util.Map;

/**
 * The relay's reaches into private members of its container, and how each fares on this one:
 * {@link TyrusFastPath} (batched flushes and fast unmasking), {@link TyrusIdleTimers} and
 * {@link GrizzlyTlsBuffers}. Each is {@link State#OFF} until it first works ({@link State#ACTIVE})
 * or fails ({@link State#FELL_BACK}: the relay logged one warning and works as the container does
 * by itself); a failure is final. All of them stay off with {@code relay.container-hooks=false}.
 * The gauge {@code relay_container_hook{hook=…}} shows the state (1, 0, -1), so a container
 * upgrade that loses a member shows which optimisation fell back.
 */
final class ContainerHooks {

    /** One reach into the container. */
    enum Hook {
        TYRUS_FAST_PATH("tyrus-fast-path"),
        TYRUS_IDLE_TIMERS("tyrus-idle-timers"),
        GRIZZLY_TLS_BUFFERS("grizzly-tls-buffers");

        final String label;

        Hook(String label) {
            this.label = label;
        }
    }

    /** How a hook fares; {@link #gauge} is its value on the gauge. */
    enum State {
        OFF(0), ACTIVE(1), FELL_BACK(-1);

        final int gauge;

        State(int gauge) {
            this.gauge = gauge;
        }
    }

    private static final Map<Hook, State> STATES = new EnumMap<>(Hook.class);

    static {
        for (Hook h : Hook.values()) {
            STATES.put(h, State.OFF);
        }
    }

    private ContainerHooks() {
    }

    /** {@code hook} worked (once is enough); no effect after a failure. */
    static void worked(Hook hook) {
        synchronized (STATES) {
            if (STATES.get(hook) == State.OFF) {
                STATES.put(hook, State.ACTIVE);
            }
        }
    }

    /** {@code hook} did not find what it reaches for: it fell back, for good. */
    static void fellBack(Hook hook) {
        synchronized (STATES) {
            STATES.put(hook, State.FELL_BACK);
        }
    }

    static State state(Hook hook) {
        synchronized (STATES) {
            return STATES.get(hook);
        }
    }
}
