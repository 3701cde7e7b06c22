package io.securerelay.desk.web.internal;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.MultivaluedMap;

/**
 * On every answer: a strict Content-Security-Policy (only the desk's own files; no inline script or
 * style; no framing), no MIME sniffing, no referrer, nothing cached; HSTS on a TLS listener.
 */
public final class SecurityHeaders implements ContainerResponseFilter {
    public static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self';"
            + " frame-ancestors 'none'";

    private final boolean hsts;

    public SecurityHeaders(boolean hsts) {
        this.hsts = hsts;
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        MultivaluedMap<String, Object> h = response.getHeaders();
        h.putSingle("Content-Security-Policy", CSP);
        h.putSingle("X-Content-Type-Options", "nosniff");
        h.putSingle("Referrer-Policy", "no-referrer");
        h.putSingle("X-Frame-Options", "DENY");
        h.putSingle("Cross-Origin-Opener-Policy", "same-origin");
        h.putSingle("Cross-Origin-Resource-Policy", "same-origin");
        h.putSingle("Permissions-Policy", "camera=(), microphone=(), geolocation=()");
        h.putSingle("Cache-Control", "no-store");
        if (hsts) {
            h.putSingle("Strict-Transport-Security", "max-age=31536000");
        }
    }
}
