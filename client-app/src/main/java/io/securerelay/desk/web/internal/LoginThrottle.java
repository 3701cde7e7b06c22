package io.securerelay.desk.web.internal;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Failed logins (a wrong token on the login page or in an {@code Authorization} header) per remote
 * address: after {@link #MAX_FAILURES} failures within {@link #WINDOW} that address is refused (429)
 * until the window is over, even with the right token. Tracks at most {@link #MAX_ADDRESSES} addresses;
 * beyond that every new address shares one bucket, so a flood of addresses cannot grow the heap.
 */
public final class LoginThrottle {
    public static final int MAX_FAILURES = 5;
    public static final Duration WINDOW = Duration.ofMinutes(1);
    static final int MAX_ADDRESSES = 4096;
    private static final String OVERFLOW = "overflow";

    private record Bucket(Instant start, int failures) {
    }

    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final Clock clock;

    public LoginThrottle(Clock clock) {
        this.clock = clock;
    }

    /** Seconds until {@code address} may try again, or 0 if it may now. */
    public long retryAfterSeconds(String address) {
        Bucket b = buckets.get(bucketOf(address));
        Instant now = clock.instant();
        if (b == null || b.failures < MAX_FAILURES) {
            return 0;
        }
        Instant end = b.start.plus(WINDOW);
        return now.isBefore(end) ? Math.max(1, Duration.between(now, end).toSeconds()) : 0;
    }

    public void failed(String address) {
        Instant now = clock.instant();
        if (buckets.size() >= MAX_ADDRESSES) {
            buckets.values().removeIf(b -> !now.isBefore(b.start.plus(WINDOW)));
        }
        buckets.compute(bucketOf(address), (k, b) -> b == null || !now.isBefore(b.start.plus(WINDOW))
                ? new Bucket(now, 1) : new Bucket(b.start, b.failures + 1));
    }

    public void succeeded(String address) {
        buckets.remove(bucketOf(address));
    }

    private String bucketOf(String address) {
        String a = address == null ? "unknown" : address;
        return buckets.containsKey(a) || buckets.size() < MAX_ADDRESSES ? a : OVERFLOW;
    }
}
