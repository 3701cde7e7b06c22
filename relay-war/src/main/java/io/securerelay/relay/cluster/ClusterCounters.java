package io.securerelay.relay.cluster;

import org.eclipse.microprofile.metrics.Counter;

/** The cluster's traffic counters (MicroProfile Metrics, named in {@link RelayCluster}). */
final class ClusterCounters {

    private final Counter forwarded;
    private final Counter received;
    private final Counter undeliverable;

    ClusterCounters(Counter forwarded, Counter received, Counter undeliverable) {
        this.forwarded = forwarded;
        this.received = received;
        this.undeliverable = undeliverable;
    }

    void forwarded() {
        forwarded.inc();
    }

    void received() {
        received.inc();
    }

    void undeliverable() {
        undeliverable.inc();
    }

    long forwardedCount() {
        return forwarded.getCount();
    }

    long receivedCount() {
        return received.getCount();
    }

    long undeliverableCount() {
        return undeliverable.getCount();
    }
}
