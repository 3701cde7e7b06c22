package io.securerelay.relay.limits;

import io.securerelay.relay.config.RelayConfig;
import java.time.Clock;


/**
 * Per-connection limits on what a client sends: frames per second and bytes per second, each a
 * {@link TokenBucket} holding {@link RelayConfig#BURST_SECONDS} seconds' worth. A frame passes
 * only if both buckets have room.
 */
public final class RateLimiter {

    /** No limit: for tests of other rules. */
    public static final RateLimiter UNLIMITED = new RateLimiter();

    private final TokenBucket frames;
    private final TokenBucket bytes;

    public RateLimiter(long framesPerSecond, long bytesPerSecond, Clock clock) {
        this.frames = new TokenBucket(framesPerSecond * RelayConfig.BURST_SECONDS, framesPerSecond, clock);
        this.bytes = new TokenBucket(bytesPerSecond * RelayConfig.BURST_SECONDS, bytesPerSecond, clock);
    }

    private RateLimiter() {
        this.frames = null;
        this.bytes = null;
    }

    /** Whether a frame of {@code size} bytes is within the limits (and counts it if so). */
    public synchronized boolean admit(int size) {
        if (frames == null) {
            return true;
        }
        // A refused frame closes the connection, so what it took from the other bucket is moot.
        return frames.tryTake(1) && bytes.tryTake(size);
    }
}
