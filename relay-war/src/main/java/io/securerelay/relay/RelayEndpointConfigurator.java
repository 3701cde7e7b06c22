package io.securerelay.relay;

import jakarta.websocket.server.ServerEndpointConfig;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * The handshake rules of {@link RelayEndpoint}: the {@code Origin} allowlist
 * ({@link OriginPolicy}). A refused origin fails the handshake with HTTP 403 (Tyrus turns a false
 * {@link #checkOrigin} into a 403 response); no WebSocket connection exists then.
 *
 * <p>The container, not CDI, creates this object, so it reads its setting through
 * {@link ConfigProvider} once, lazily.
 */
public class RelayEndpointConfigurator extends ServerEndpointConfig.Configurator {

    private static final Logger LOG = Logger.getLogger(RelayEndpointConfigurator.class.getName());

    private volatile OriginPolicy origins;

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
