package io.securerelay.relay.cluster;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness of cluster mode ({@code relay-cluster} in {@code /health/ready} and {@code /health}):
 * DOWN while this instance cannot reach Redis (sessions on other instances are then out of reach;
 * pairs on this instance still relay). UP, with {@code mode: single instance}, without cluster mode.
 */
@Readiness
@ApplicationScoped
public class ClusterReadiness implements HealthCheck {

    @Inject
    RelayCluster cluster;

    @Override
    public HealthCheckResponse call() {
        String problem = cluster.problem();
        if (problem == null) {
            return HealthCheckResponse.named("relay-cluster").up().withData("mode", "single instance").build();
        }
        return HealthCheckResponse.named("relay-cluster")
                .status(problem.isEmpty())
                .withData("mode", "cluster")
                .withData("redis", problem.isEmpty() ? "up" : "down: " + problem)
                .withData("members", cluster.memberCount())
                .build();
    }
}
