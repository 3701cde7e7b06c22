package io.securerelay.relay.limits;

import java.time.Clock;

/**
 * A token bucket: {@code ratePerSecond} tokens flow in per second, up to {@code capacity}; taking
 * more than there are fails and takes nothing. Time comes from the {@link Clock} passed in, so
 * tests are deterministic. Thread-safe.
 */
final class TokenBucket {

    /** Tokens are counted in thousandths, so that refills of less than one token per millisecond add up. */
    private static final long MILLI = 1000;

    private final long capacityMilli;
    private final long ratePerSecond;
    private final Clock clock;
    private long tokensMilli;
    private long lastRefillMillis;

    TokenBucket(long capacity, long ratePerSecond, Clock clock) {
        if (capacity <= 0 || ratePerSecond <= 0) {
            throw new IllegalArgumentException("capacity and rate must be positive");
        }
        this.capacityMilli = Math.multiplyExact(capacity, MILLI);
        this.ratePerSecond = ratePerSecond;
        this.clock = clock;
        this.tokensMilli = capacityMilli;
        this.lastRefillMillis = clock.millis();
    }

    /** Takes {@code n} tokens if there are that many; returns whether it did. */
    synchronized boolean tryTake(long n) {
        long now = clock.millis();
        long elapsed = now - lastRefillMillis;
        if (elapsed > 0) {
            // rate tokens/s = rate milli-tokens/ms; cap the product to avoid overflow after long pauses.
            long refill = elapsed >= capacityMilli ? capacityMilli : Math.min(capacityMilli, elapsed * ratePerSecond);
            tokensMilli = Math.min(capacityMilli, tokensMilli + refill);
            lastRefillMillis = now;
        }
        long wanted = Math.multiplyExact(n, MILLI);
        if (wanted > tokensMilli) {
            return false;
        }
        tokensMilli -= wanted;
        return true;
    }
}
