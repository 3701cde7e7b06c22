package io.securerelay.relay.payara6;

import java.io.IOException;
import java.io.InputStream;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The relay's reaches into private members of its container, Payara 6, and how each fares:
 * {@link TyrusIdleTimers} and {@link GrizzlyTlsBuffers}. Each is switched on only for the exact
 * component version it was tested on ({@link Hook#tested}): the first use of a hook reads that
 * component's version from the container, logs once whether the hook is on, and a version not in
 * the list leaves the hook {@link State#UNTESTED} (the relay then works as the container does by
 * itself). Otherwise a hook is {@link State#OFF} until it first works ({@link State#ACTIVE}) or
 * fails ({@link State#FELL_BACK}: one warning); a failure is final. All of them stay off with
 * {@code relay.container-hooks=false}. The gauge {@code relay_container_hook{hook=…}} shows the
 * state (1, 0, -1, -2), so a container upgrade shows which hook is no longer on.
 *
 * <p>None of them touches the WebSocket protocol: they take work off the container (idle timers)
 * and memory (TLS buffers). docs/PAYARA-NOTES.md says, for each, the upstream issue and when to
 * remove it.
 */
public final class ContainerHooks {

    private static final Logger LOG = Logger.getLogger(ContainerHooks.class.getName());

    /** One reach into the container. */
    public enum Hook {
        /** Tyrus' per-frame idle-timer tasks off Payara's managed executor. */
        TYRUS_IDLE_TIMERS("tyrus-idle-timers", "Tyrus", "/META-INF/maven/org.glassfish.tyrus/tyrus-core/pom.properties",
                "version", Set.of("2.1.5.payara-p2")),
        /** Grizzly's kept TLS output buffer of idle connections let go of. */
        GRIZZLY_TLS_BUFFERS("grizzly-tls-buffers", "Grizzly", "/org/glassfish/grizzly/version.properties",
                "grizzly.version", Set.of("4.0.2.payara-p2"));

        /** The gauge's tag. */
        public final String label;
        private final String component;
        private final String versionResource;
        private final String versionKey;
        /** The component versions the hook was tested on (Payara Micro 6.2025.10, Payara Server 6.2025.9). */
        final Set<String> tested;

        Hook(String label, String component, String versionResource, String versionKey, Set<String> tested) {
            this.label = label;
            this.component = component;
            this.versionResource = versionResource;
            this.versionKey = versionKey;
            this.tested = tested;
        }
    }

    /** How a hook fares; {@link #gauge} is its value on the gauge. */
    public enum State {
        /** Switched off, or not used yet. */
        OFF(0),
        /** Worked at least once, on a tested version. */
        ACTIVE(1),
        /** What it reaches for was not there: the container's own behaviour, for good. */
        FELL_BACK(-1),
        /** The container's component is not a version the hook was tested on: never switched on. */
        UNTESTED(-2);

        public final int gauge;

        State(int gauge) {
            this.gauge = gauge;
        }
    }

    private static final Map<Hook, State> STATES = new EnumMap<>(Hook.class);
    private static final Map<Hook, Boolean> ALLOWED = new EnumMap<>(Hook.class);

    static {
        for (Hook h : Hook.values()) {
            STATES.put(h, State.OFF);
        }
    }

    private ContainerHooks() {
    }

    /**
     * Whether {@code hook} may run on this container: its component (found through
     * {@code componentClass}, a class of that component) is a tested version. Decided once, at the
     * first call, and logged then.
     */
    static boolean allowed(Hook hook, Class<?> componentClass) {
        synchronized (STATES) {
            Boolean known = ALLOWED.get(hook);
            if (known != null) {
                return known;
            }
            String version = version(hook, componentClass);
            boolean ok = hook.tested.contains(version);
            ALLOWED.put(hook, ok);
            if (ok) {
                LOG.info(() -> "container hook " + hook.label + " on: " + hook.component + " " + version
                        + " is the version it was tested on");
            } else {
                STATES.put(hook, State.UNTESTED);
                LOG.warning(() -> "container hook " + hook.label + " off: it was tested on " + hook.component + " "
                        + String.join(", ", hook.tested) + ", this is " + version);
            }
            return ok;
        }
    }

    /** The version of {@code hook}'s component, as the component's jar states it; "unknown" if it does not. */
    static String version(Hook hook, Class<?> componentClass) {
        try (InputStream in = componentClass.getResourceAsStream(hook.versionResource)) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty(hook.versionKey, "unknown").trim();
        } catch (IOException | RuntimeException e) {
            LOG.log(Level.FINE, "cannot read the version of {0}: {1}", new Object[] {hook.component, e.toString()});
            return "unknown";
        }
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
            if (STATES.get(hook) != State.UNTESTED) {
                STATES.put(hook, State.FELL_BACK);
            }
        }
    }

    /** How {@code hook} fares now. */
    public static State state(Hook hook) {
        synchronized (STATES) {
            return STATES.get(hook);
        }
    }
}
