package io.securerelay.relay.limits;

import io.securerelay.relay.config.RelaySettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;


/**
 * Counts open connections per remote IP address and refuses one over the cap
 * ({@link RelayConfig#MAX_CONNECTIONS_PER_ADDRESS}). An address with no open connection leaves no
 * entry. Thread-safe.
 */
@ApplicationScoped
public class AddressLimiter {

    private final ConcurrentMap<String, Integer> open = new ConcurrentHashMap<>();
    private int cap;

    /** For CDI. */
    protected AddressLimiter() {
    }

    @Inject
    AddressLimiter(RelaySettings settings) {
        this(settings.maxConnectionsPerAddress());
    }

    /** @param cap connections per address; 0 means no cap */
    public AddressLimiter(int cap) {
        this.cap = cap;
    }

    /**
     * Counts one more connection from {@code address} if it stays within the cap.
     *
     * @param address the remote IP address, or {@code null} if the container did not tell (not capped)
     * @return whether the connection may stay; only then must {@link #release} be called for it
     */
    public boolean tryAcquire(String address) {
        if (address == null || cap == 0) {
            return true;
        }
        boolean[] acquired = new boolean[1];
        open.compute(address, (a, n) -> {
            int count = n == null ? 0 : n;
            if (count >= cap) {
                return n;
            }
            acquired[0] = true;
            return count + 1;
        });
        return acquired[0];
    }

    /** Forgets one connection from {@code address} that {@link #tryAcquire} admitted. */
    public void release(String address) {
        if (address == null || cap == 0) {
            return;
        }
        open.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
    }

    /** Open connections counted for {@code address}. */
    public int openFrom(String address) {
        return open.getOrDefault(address, 0);
    }
}
