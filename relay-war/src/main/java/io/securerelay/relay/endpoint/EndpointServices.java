package io.securerelay.relay.endpoint;

import io.securerelay.relay.config.RelaySettings;
import io.securerelay.relay.limits.AddressLimiter;
import io.securerelay.relay.monitoring.RelayMetrics;
import io.securerelay.relay.routing.Router;
import jakarta.enterprise.inject.spi.CDI;
import java.util.Objects;


/**
 * The application's beans every {@link RelayEndpoint} uses. Looked up once and handed to each new
 * endpoint: left to the container, Tyrus' CDI integration builds a new injection target (a
 * reflective walk over the class, several kilobytes kept until the connection closes) for every
 * connection. The beans are application-scoped, so these are their client proxies.
 */
record EndpointServices(Router router, RelaySettings settings, AddressLimiter addresses,
                        RelayScheduler scheduler, RelayMetrics metrics) {

    EndpointServices {
        Objects.requireNonNull(router, "router");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(addresses, "addresses");
        Objects.requireNonNull(scheduler, "scheduler");
        Objects.requireNonNull(metrics, "metrics");
    }

    /** The beans of the application this class was deployed with. */
    static EndpointServices fromCdi() {
        CDI<Object> cdi = CDI.current();
        return new EndpointServices(cdi.select(Router.class).get(), cdi.select(RelaySettings.class).get(),
                cdi.select(AddressLimiter.class).get(), cdi.select(RelayScheduler.class).get(),
                cdi.select(RelayMetrics.class).get());
    }
}
