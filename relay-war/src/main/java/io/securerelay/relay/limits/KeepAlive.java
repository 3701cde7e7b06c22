package io.securerelay.relay.limits;

import java.time.Duration;

/**
 * The keep-alive rule, as a pure function of time: run every ping interval, it says whether a
 * connection last heard from at {@code lastHeardMillis} gets a ping, is closed as idle, or is left
 * alone. A connection that answers pings (every WebSocket client does, automatically) never goes
 * idle; a dead peer or a client that stopped reading is closed between the idle timeout and the
 * idle timeout plus one ping interval after it fell silent.
 */
public final class KeepAlive {

    /** What to do with a connection at a tick. */
    public enum Action {
        /** Heard from recently: nothing. */
        NONE,
        /** Silent for a ping interval or more: ping it. */
        PING,
        /** Silent for the idle timeout or more: close it (4004). */
        CLOSE
    }

    private final long pingIntervalMillis;
    private final long idleTimeoutMillis;

    public KeepAlive(Duration pingInterval, Duration idleTimeout) {
        if (pingInterval.isNegative() || pingInterval.isZero() || pingInterval.compareTo(idleTimeout) >= 0) {
            throw new IllegalArgumentException("the ping interval must be positive and below the idle timeout");
        }
        this.pingIntervalMillis = pingInterval.toMillis();
        this.idleTimeoutMillis = idleTimeout.toMillis();
    }

    public Duration pingInterval() {
        return Duration.ofMillis(pingIntervalMillis);
    }

    public Action decide(long nowMillis, long lastHeardMillis) {
        long silent = nowMillis - lastHeardMillis;
        if (silent >= idleTimeoutMillis) {
            return Action.CLOSE;
        }
        return silent >= pingIntervalMillis ? Action.PING : Action.NONE;
    }
}
