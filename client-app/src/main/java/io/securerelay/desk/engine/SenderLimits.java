package io.securerelay.desk.engine;

import io.securerelay.protocol.relay.SessionId;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-sender token buckets, so that one customer's flood (of frames, or of handshakes that each
 * cost the desk signature checks) is dropped at the door and never slows the others. The relay
 * limits each connection too; this protects the desk if a relay does not.
 */
final class SenderLimits {

    private static final class Bucket {
        double tokens;
        long lastNanos;
    }

    private final double perSecond;
    private final double burst;
    private final int maxSenders;
    private final ConcurrentHashMap<SessionId, Bucket> buckets = new ConcurrentHashMap<>();

    /** @param maxSenders how many senders' buckets are kept (beyond it they are forgotten and start full) */
    SenderLimits(double perSecond, double burst, int maxSenders) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.maxSenders = maxSenders;
    }

    /** Whether one more from {@code sender} may pass at {@code nowNanos}. */
    boolean allow(SessionId sender, long nowNanos) {
        if (buckets.size() > maxSenders) {
            buckets.clear();
        }
        Bucket b = buckets.computeIfAbsent(sender, s -> {
            Bucket n = new Bucket();
            n.tokens = burst;
            n.lastNanos = nowNanos;
            return n;
        });
        synchronized (b) {
            b.tokens = Math.min(burst, b.tokens + (nowNanos - b.lastNanos) * perSecond / 1e9);
            b.lastNanos = nowNanos;
            if (b.tokens < 1) {
                return false;
            }
            b.tokens -= 1;
            return true;
        }
    }
}
