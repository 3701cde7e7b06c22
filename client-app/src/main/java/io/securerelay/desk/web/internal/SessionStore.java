package io.securerelay.desk.web.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The GUI's login sessions: a session cookie holds 256 random bits; only their SHA-256 is kept (a
 * heap dump shows no usable cookie), with an absolute expiry. At most {@link #MAX} sessions: the
 * expired go first, then the oldest.
 */
public final class SessionStore {
    static final int MAX = 256;

    private final Map<String, Instant> expiries = new ConcurrentHashMap<>();
    private final Clock clock;
    private final SecureRandom random;
    private final Duration lifetime;

    public SessionStore(Clock clock, SecureRandom random, Duration lifetime) {
        this.clock = clock;
        this.random = random;
        this.lifetime = lifetime;
    }

    public Duration lifetime() {
        return lifetime;
    }

    /** A new session; the returned value goes into the cookie and nowhere else. */
    public String open() {
        Instant now = clock.instant();
        expiries.values().removeIf(e -> !e.isAfter(now));
        while (expiries.size() >= MAX) {
            expiries.entrySet().stream().min(Map.Entry.comparingByValue())
                    .ifPresent(oldest -> expiries.remove(oldest.getKey()));
        }
        byte[] bits = new byte[32];
        random.nextBytes(bits);
        String value = Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
        expiries.put(key(value), now.plus(lifetime));
        return value;
    }

    /** Whether {@code cookie} is an open session that has not expired. */
    public boolean valid(String cookie) {
        if (cookie == null || cookie.length() != 43) {
            return false;
        }
        String k = key(cookie);
        Instant expiry = expiries.get(k);
        if (expiry == null) {
            return false;
        }
        if (!expiry.isAfter(clock.instant())) {
            expiries.remove(k, expiry);
            return false;
        }
        return true;
    }

    public void close(String cookie) {
        if (cookie != null) {
            expiries.remove(key(cookie));
        }
    }

    private static String key(String cookie) {
        try {
            return Base64.getEncoder().encodeToString(
                    MessageDigest.getInstance("SHA-256").digest(cookie.getBytes(StandardCharsets.US_ASCII)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("SHA-256 is in every JDK", e);
        }
    }
}
