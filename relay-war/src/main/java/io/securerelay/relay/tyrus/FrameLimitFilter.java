package io.securerelay.relay.tyrus;

import io.securerelay.relay.RelayEndpoint;
import io.securerelay.relay.RelaySettings;
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
 * Puts the relay's frame-size limit in front of Tyrus: a request to the endpoint's path reaches
 * Tyrus' own filter (which Tyrus maps after the application's filters) wrapped, so that its
 * {@code upgrade(TyrusHttpUpgradeHandler.class)} yields a {@link FrameLimitUpgradeHandler} with
 * {@code relay.max-frame-bytes} as its limit. Standard Servlet API only.
 */
@WebFilter(filterName = "relay-frame-limit", urlPatterns = RelayEndpoint.PATH, asyncSupported = true)
public class FrameLimitFilter implements Filter {

    @Inject
    RelaySettings settings;

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (request instanceof HttpServletRequest) {
            chain.doFilter(new LimitedUpgrade((HttpServletRequest) request, settings.maxFrameBytes()), response);
        } else {
            chain.doFilter(request, response);
        }
    }

    /** The request as Tyrus sees it: its upgrade to Tyrus' handler makes the limited one. */
    static final class LimitedUpgrade extends HttpServletRequestWrapper {

        private final long maxFrameBytes;

        LimitedUpgrade(HttpServletRequest request, long maxFrameBytes) {
            super(request);
            this.maxFrameBytes = maxFrameBytes;
        }

        @Override
        public <T extends HttpUpgradeHandler> T upgrade(Class<T> type) throws IOException, ServletException {
            if (type != TyrusHttpUpgradeHandler.class) {
                return super.upgrade(type);
            }
            FrameLimitUpgradeHandler handler = super.upgrade(FrameLimitUpgradeHandler.class);
            handler.limit(maxFrameBytes);
            return type.cast(handler);
        }
    }
}
