package io.securerelay.relay.admin;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.annotation.RegistryScope;

/**
 * Slows down password guessing at the admin login, per remote address: after
 * {@value #FREE_FAILURES} failures in a row the address is locked out for {@link #BASE_DELAY}, and
 * each further failure doubles that time (at most {@link #MAX_DELAY}). While locked out every attempt is refused without looking at the password,
 * a correct one too; a successful login forgets the address. An address with no failure for
 * {@link #FORGET_AFTER} is forgotten. IPv6 addresses count per /64, the block one host usually holds.
 *
 * <p>Memory is bounded: at most {@link #MAX_ADDRESSES} addresses are tracked, the least recently
 * seen dropped first. Time comes from the {@link Clock} given, so the schedule is tested without
 * waiting. Thread-safe.
 */
@ApplicationScoped
public class LoginThrottle {

    /** Failures in a row from one address that lock it out for the first time. */
    public static final int FREE_FAILURES = 5;
    /** The lock-out after failure number {@value #FREE_FAILURES}; doubled with every further failure. */
    public static final Duration BASE_DELAY = Duration.ofSeconds(1);
    /** The longest lock-out. */
    public static final Duration MAX_DELAY = Duration.ofMinutes(15);
    /** An address without a failure for this long starts again from zero. */
    public static final Duration FORGET_AFTER = Duration.ofHours(1);
    /** Addresses tracked at most (about 100 bytes each). */
    public static final int MAX_ADDRESSES = 10_000;

    public static final String FAILURES_METRIC = "relay.admin.login.failures";
    public static final String THROTTLED_METRIC = "relay.admin.login.throttled";

    private Clock clock;
    private int maxAddresses;
    private Counter failures;
    private Counter throttled;
    private Map<String, Entry> entries;

    /** One address's record: failures in a row, when the last one happened, locked out until when. */
    private static final class Entry {
        int failures;
        Instant lastFailure;
        Instant lockedUntil = Instant.MIN;
    }

    /** For CDI's client proxy. */
    protected LoginThrottle() {
    }

    @Inject
    LoginThrottle(@RegistryScope(scope = MetricRegistry.APPLICATION_SCOPE) MetricRegistry registry) {
        this(Clock.systemUTC(), MAX_ADDRESSES,
                registry.counter(Metadata.builder().withName(FAILURES_METRIC)
                        .withDescription("Admin console logins refused for a wrong user name or password").build()),
                registry.counter(Metadata.builder().withName(THROTTLED_METRIC)
                        .withDescription("Admin console logins refused unchecked (HTTP 429) because their address "
                                + "was locked out after repeated failures").build()));
    }

    /** Creates the bean at deployment, so that its metrics are scraped (at zero) before any login. */
    void atStartup(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        maxAddresses();
    }

    LoginThrottle(Clock clock, int maxAddresses, Counter failures, Counter throttled) {
        this.clock = clock;
        this.maxAddresses = maxAddresses;
        this.failures = failures;
        this.throttled = throttled;
        int max = maxAddresses;
        this.entries = new LinkedHashMap<>(64, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
                return size() > max;
            }
        };
    }

    /**
     * Whether {@code address} may try to log in now. If not, the attempt is counted as throttled
     * and the answer is how long it must still wait; its password must not be checked.
     */
    public synchronized Optional<Duration> lockedOut(String address) {
        Instant now = clock.instant();
        Entry e = current(key(address), now);
        if (e == null || !now.isBefore(e.lockedUntil)) {
            return Optional.empty();
        }
        throttled.inc();
        return Optional.of(Duration.between(now, e.lockedUntil));
    }

    /** Records a wrong user name or password from {@code address}; returns its lock-out (zero if none yet). */
    public synchronized Duration failed(String address) {
        failures.inc();
        Instant now = clock.instant();
        String key = key(address);
        Entry e = current(key, now);
        if (e == null) {
            e = new Entry();
            entries.put(key, e);
        }
        e.failures++;
        e.lastFailure = now;
        Duration delay = delayAfter(e.failures);
        e.lockedUntil = now.plus(delay);
        return delay;
    }

    /** A successful login from {@code address}: it starts again from zero. */
    public synchronized void succeeded(String address) {
        entries.remove(key(address));
    }

    /** Addresses tracked now (for tests and the docs' memory bound). */
    synchronized int trackedAddresses() {
        return entries.size();
    }

    int maxAddresses() {
        return maxAddresses;
    }

    /** The lock-out after {@code failures} failures in a row. */
    static Duration delayAfter(int failures) {
        if (failures < FREE_FAILURES) {
            return Duration.ZERO;
        }
        int doublings = Math.min(failures - FREE_FAILURES, 30); // 2^30 s is far beyond MAX_DELAY
        Duration d = BASE_DELAY.multipliedBy(1L << doublings);
        return d.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : d;
    }

    private Entry current(String key, Instant now) {
        Entry e = entries.get(key);
        if (e != null && !now.isBefore(e.lastFailure.plus(FORGET_AFTER)) && !now.isBefore(e.lockedUntil)) {
            entries.remove(key);
            return null;
        }
        return e;
    }

    /**
     * The throttling key of a remote address: the address itself for IPv4, its /64 prefix for
     * IPv6 (one host commonly has a whole /64). {@code getRemoteAddr()} gives a literal, so no
     * name is ever looked up.
     */
    static String key(String address) {
        if (address == null || address.isEmpty()) {
            return "unknown";
        }
        if (address.indexOf(':') < 0) {
            return address;
        }
        try {
            String literal = address.startsWith("[") && address.endsWith("]")
                    ? address.substring(1, address.length() - 1) : address;
            int zone = literal.indexOf('%');
            byte[] bytes = InetAddress.getByName(zone < 0 ? literal : literal.substring(0, zone)).getAddress();
            if (bytes.length == 16) {
                return "v6:" + HexFormat.of().formatHex(bytes, 0, 8) + "::/64";
            }
            return InetAddress.getByAddress(bytes).getHostAddress();
        } catch (UnknownHostException e) {
            return address;
        }
    }
}
