package io.securerelay.relay.monitoring;

import io.securerelay.relay.endpoint.RelayScheduler;
import io.securerelay.relay.routing.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;


/**
 * Liveness ({@code /health/live}): the router answers and the relay's timer thread (registration
 * timeouts, keep-alive) still runs. DOWN means the relay should be restarted.
 */
@Liveness
@ApplicationScoped
public class RelayLiveness implements HealthCheck {

    @Inject
    Router router;

    @Inject
    RelayScheduler scheduler;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("relay-router")
                .status(!scheduler.isStopped())
                .withData("registered-sessions", router.routeCount())
                .build();
    }
}
