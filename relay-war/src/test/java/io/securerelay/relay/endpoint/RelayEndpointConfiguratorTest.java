package io.securerelay.relay.endpoint;

import io.securerelay.relay.config.RelaySettings;
import io.securerelay.relay.limits.AddressLimiter;
import io.securerelay.relay.monitoring.RelayMetrics;
import io.securerelay.relay.routing.Router;
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;



class RelayEndpointConfiguratorTest {

    private final AtomicInteger lookups = new AtomicInteger();
    private final RelayScheduler scheduler = new RelayScheduler();
    private final RelayEndpointConfigurator configurator = new RelayEndpointConfigurator(() -> {
        lookups.incrementAndGet();
        return new EndpointServices(new Router(new SecureRandom()), new RelaySettings(), new AddressLimiter(0),
                scheduler, new RelayMetrics());
    });

    @Test
    void makesAFreshEndpointPerConnectionAndLooksTheBeansUpOnce() throws Exception {
        RelayEndpoint first = configurator.getEndpointInstance(RelayEndpoint.class);
        RelayEndpoint second = configurator.getEndpointInstance(RelayEndpoint.class);
        assertNotSame(first, second, "endpoints hold per-connection state: never shared");
        assertEquals(1, lookups.get(), "the beans are looked up on the first connection only");
        scheduler.stop();
    }

    @Test
    void leavesOtherEndpointClassesToTheContainer() throws Exception {
        // Delegated to the container's default configurator (the test class path has Tyrus').
        assertEquals(Object.class, configurator.getEndpointInstance(Object.class).getClass());
        assertEquals(0, lookups.get());
        scheduler.stop();
    }
}
