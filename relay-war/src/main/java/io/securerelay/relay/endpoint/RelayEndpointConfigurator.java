package io.securerelay.relay.endpoint;

import io.securerelay.relay.config.RelayConfig;
import jakarta.websocket.server.ServerEndpointConfig;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.ConfigProvider;


/**
 * The handshake rules of {@link RelayEndpoint}: the {@code Origin} allowlist
 * ({@link OriginPolicy}). A refused origin fails the handshake with HTTP 403 (Tyrus turns a false
 * {@link #checkOrigin} into a 403 response); no WebSocket connection exists then.
 *
 * <p>It also makes the endpoint instances ({@link #getEndpointInstance}).
 *
 * <p>The container, not CDI, creates this object, so it reads its setting through
 * {@link ConfigProvider} once, lazily, and looks the beans up through {@code CDI.current()}.
 */
public class RelayEndpointConfigurator extends ServerEndpointConfig.Configurator {

    private static final Logger LOG = Logger.getLogger(RelayEndpointConfigurator.class.getName());

    private final Supplier<EndpointServices> lookup;
    private volatile OriginPolicy origins;
    private volatile EndpointServices services;

    public RelayEndpointConfigurator() {
        this(EndpointServices::fromCdi);
    }

    RelayEndpointConfigurator(Supplier<EndpointServices> lookup) {
        this.lookup = lookup;
    }

    /**
     * One {@link RelayEndpoint} per connection, built from the application's beans looked up on
     * the first connection. Without this, Tyrus' CDI integration creates a CDI injection target
     * per connection (reflection over the class each time, and several kilobytes of injection
     * points kept while the connection lives).
     */
    @Override
    public <T> T getEndpointInstance(Class<T> endpointClass) throws InstantiationException {
        if (endpointClass != RelayEndpoint.class) {
            return super.getEndpointInstance(endpointClass);
        }
        EndpointServices s = services;
        if (s == null) {
            s = lookup.get();
            services = s;
        }
        return endpointClass.cast(new RelayEndpoint(s));
    }

    @Override
    public boolean checkOrigin(String originHeaderValue) {
        boolean ok = policy().accepts(originHeaderValue);
        if (!ok) {
            LOG.log(Level.FINE, "handshake refused: origin {0} not allowed", originHeaderValue);
        }
        return ok;
    }

    private OriginPolicy policy() {
        OriginPolicy p = origins;
        if (p == null) {
            String value = ConfigProvider.getConfig(RelayEndpointConfigurator.class.getClassLoader())
                    .getOptionalValue(RelayConfig.ALLOWED_ORIGINS, String.class)
                    .orElse(RelayConfig.ALLOWED_ORIGINS_DEFAULT);
            p = OriginPolicy.parse(value);
            origins = p;
        }
        return p;
    }
}
