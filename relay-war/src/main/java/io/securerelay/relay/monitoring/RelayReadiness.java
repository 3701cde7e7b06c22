package io.securerelay.relay.monitoring;

import io.securerelay.relay.config.RelaySettings;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;


/**
 * Readiness ({@code /health/ready}): the deployment completed (the application scope was
 * initialized, after {@link RelaySettings} validated the settings) and the settings are valid.
 */
@Readiness
@ApplicationScoped
public class RelayReadiness implements HealthCheck {

    private volatile boolean started;

    @Inject
    RelaySettings settings;

    void atStartup(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        started = true;
    }

    @Override
    public HealthCheckResponse call() {
        String problem = null;
        if (!started) {
            problem = "deployment not complete";
        } else {
            try {
                settings.validate();
            } catch (IllegalArgumentException e) {
                problem = e.getMessage();
            }
        }
        return HealthCheckResponse.named("relay-deployment")
                .status(problem == null)
                .withData("settings", problem == null ? "valid" : problem)
                .build();
    }
}
