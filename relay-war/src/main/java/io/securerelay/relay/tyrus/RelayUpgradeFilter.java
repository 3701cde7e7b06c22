package io.securerelay.relay.tyrus;

import io.securerelay.relay.config.RelaySettings;
import io.securerelay.relay.endpoint.RelayEndpoint;
import jakarta.inject.Inject;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpUpgradeHandler;
import java.io.IOException;
import org.glassfish.tyrus.servlet.TyrusHttpUpgradeHandler;

/**
 * Puts the relay's {@link RelayUpgradeHandler} in front of Tyrus: a request to the endpoint's path
 * reaches Tyrus' own filter (which Tyrus maps after the application's filters) wrapped, so that its
 * {@code upgrade(TyrusHttpUpgradeHandler.class)} yields a {@link RelayUpgradeHandler} with
 * {@code relay.max-frame-bytes} as its limit and {@code relay.batch-flushes}. Standard Servlet API
 * only.
 */
@WebFilter(filterName = "relay-frame-limit", urlPatterns = RelayEndpoint.PATH, asyncSupported = true)
public class RelayUpgradeFilter implements Filter {

    @Inject
    RelaySettings settings;

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request instanceof HttpServletRequest) {
            chain.doFilter(new RelayUpgrade((HttpServletRequest) request, settings.maxFrameBytes(), settings.batchFlushes()), response);
        } else {
            chain.doFilter(request, response);
        }
    }

    /** The request as Tyrus sees it: its upgrade to Tyrus' handler makes the relay's. */
    static final class RelayUpgrade extends HttpServletRequestWrapper {

        private final long maxFrameBytes;
        private final boolean batchFlushes;

        RelayUpgrade(HttpServletRequest request, long maxFrameBytes, boolean batchFlushes) {
            super(request);
            this.maxFrameBytes = maxFrameBytes;
            this.batchFlushes = batchFlushes;
        }

        @Override
        public <T extends HttpUpgradeHandler> T upgrade(Class<T> type) throws IOException, ServletException {
            if (type != TyrusHttpUpgradeHandler.class) {
                return super.upgrade(type);
            }
            RelayUpgradeHandler handler = super.upgrade(RelayUpgradeHandler.class);
            handler.configure(maxFrameBytes, batchFlushes);
            return type.cast(handler);
        }
    }
}
