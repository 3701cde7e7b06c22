package io.securerelay.relay.monitoring;

import io.securerelay.relay.payara6.ContainerHooks;
import io.securerelay.relay.payara6.GrizzlyTlsBuffers;
import io.securerelay.relay.routing.Router;
import io.securerelay.relay.tyrus.RelayUpgradeHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.Histogram;
import org.eclipse.microprofile.metrics.Metadata;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.annotation.RegistryScope;


/**
 * The relay's MicroProfile Metrics (application scope, served by Payara at {@code /metrics} in
 * Prometheus format), registered once at deployment. The names are documented in
 * {@code docs/ARCHITECTURE.md}. Connections update the plain {@link RelayCounters} it hands out;
 * gauges read the counters and the {@link Router} when scraped. Thread-safe.
 */
@ApplicationScoped
public class RelayMetrics {

    public static final String CONNECTIONS_OPEN = "relay.connections.open";
    public static final String SESSIONS_REGISTERED = "relay.sessions.registered";
    public static final String PENDING_BYTES = "relay.send.pending.bytes";
    public static final String FRAMES_RELAYED = "relay.frames.relayed";
    public static final String BYTES_RELAYED = "relay.bytes.relayed";
    public static final String REJECTIONS = "relay.rejections";
    public static final String TLS_BUFFERS_RELEASED = "relay.tls.buffers.released";
    public static final String FLUSHES_DEFERRED = "relay.flushes.deferred";
    public static final String FLUSHES_BATCHED = "relay.flushes.batched";
    public static final String FRAMES_UNMASKED_REFUSED = "relay.frames.unmasked.refused";
    public static final String FRAME_GUARD_CONNECTIONS = "relay.frame.guard.connections";
    public static final String FRAME_GUARD_STOPPED = "relay.frame.guard.stopped";
    public static final String CONTAINER_HOOK = "relay.container.hook";
    /**
     * In microseconds, without a MicroProfile unit: with {@code MetricUnits.NANOSECONDS} Payara
     * 6.2025.10 converts the quantiles to seconds but not {@code _sum} (seen in its Prometheus output).
     */
    public static final String LATENCY = "relay.latency.microseconds";

    private RelayCounters counters;
    private Router router;

    /** For CDI's client proxy and for tests (no metrics registered). */
    public RelayMetrics() {
    }

    @Inject
    public RelayMetrics(@RegistryScope(scope = MetricRegistry.APPLICATION_SCOPE) MetricRegistry registry, Router router) {
        this.router = router;
        Histogram latency = registry.histogram(Metadata.builder().withName(LATENCY)
                .withDescription("Time from receiving a SEND to the completed write of its DELIVER, sampled 1 frame in "
                        + RelayCounters.LATENCY_SAMPLE_EVERY)
                .build());
        this.counters = new RelayCounters(
                registry.counter(Metadata.builder().withName(FRAMES_RELAYED)
                        .withDescription("DELIVER frames written to their receiver").build()),
                registry.counter(Metadata.builder().withName(BYTES_RELAYED)
                        .withDescription("Bytes of DELIVER frames written to their receiver").build()),
                reason -> registry.counter(Metadata.builder().withName(REJECTIONS)
                        .withDescription("Connections closed by the relay and SENDs answered with an ERROR, by reason")
                        .build(), new Tag("reason", reason.name())),
                latency);
        RelayCounters c = counters;
        registry.gauge(Metadata.builder().withName(CONNECTIONS_OPEN)
                .withDescription("Open WebSocket connections").build(), c, RelayCounters::openConnections);
        registry.gauge(Metadata.builder().withName(SESSIONS_REGISTERED)
                .withDescription("Registered session IDs (live routes)").build(), router, Router::routeCount);
        registry.gauge(Metadata.builder().withName(PENDING_BYTES)
                .withDescription("Bytes queued for receivers and not yet written, all connections").build(),
                c, RelayCounters::pendingBytes);
        registry.gauge(Metadata.builder().withName(TLS_BUFFERS_RELEASED)
                .withDescription("TLS output buffers that Grizzly kept after a connection's last write and the keep-alive "
                        + "let go of, since start (stays 0 if the relay cannot reach them: see its log)").build(),
                GrizzlyTlsBuffers::released);
        registry.gauge(Metadata.builder().withName(FLUSHES_DEFERRED)
                .withDescription("Frame writes whose flush waited for the end of the read that caused them, since "
                        + "start (stays 0 if batching is off: relay.batch-flushes)").build(),
                RelayUpgradeHandler::deferredFlushes);
        registry.gauge(Metadata.builder().withName(FLUSHES_BATCHED)
                .withDescription("Flushes done at the end of a read for the frames it caused, since start: "
                        + "deferred / batched = frames per TLS write").build(),
                RelayUpgradeHandler::batchedFlushes);
        registry.gauge(Metadata.builder().withName(FRAMES_UNMASKED_REFUSED)
                .withDescription("Client frames that were not masked (RFC 6455 5.1), refused with 1002 at their header,"
                        + " since start").build(),
                RelayUpgradeHandler::unmaskedFrames);
        registry.gauge(Metadata.builder().withName(FRAME_GUARD_CONNECTIONS)
                .withDescription("Connections opened with the frame-size limit in front of Tyrus, since start (equal to "
                        + "the connections opened; if not, see the log)").build(),
                RelayUpgradeHandler::guardedConnections);
        registry.gauge(Metadata.builder().withName(FRAME_GUARD_STOPPED)
                .withDescription("Frames refused with 1009 at their header, before any of their payload was read, "
                        + "since start").build(),
                RelayUpgradeHandler::stoppedFrames);
        for (ContainerHooks.Hook hook : ContainerHooks.Hook.values()) {
            registry.gauge(Metadata.builder().withName(CONTAINER_HOOK)
                    .withDescription("A reach into the container's private members: 1 active, 0 off (or not used yet),"
                            + " -1 fell back (see the log), -2 not on: the container's version is not the tested one").build(),
                    () -> ContainerHooks.state(hook).gauge, new Tag("hook", hook.label));
        }
    }

    /** Registers the metrics at deployment, so that they are scraped (at zero) before any traffic. */
    void atStartup(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        counters();
    }

    /** The counters that connections update; hold on to the result (a plain object, no proxy). */
    public RelayCounters counters() {
        return counters;
    }

    /** Registered session IDs. */
    public int registeredSessions() {
        return router.routeCount();
    }
}
