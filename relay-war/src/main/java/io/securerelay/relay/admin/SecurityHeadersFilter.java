package io.securerelay.relay.admin;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The browser security headers on every response of the WAR (the admin pages, their API, the
 * login, static files, the 426 answer at {@code /relay}, the container's error pages for this
 * application). Mapped first in {@code WEB-INF/web.xml}, before {@link AdminFilter}, so they are
 * set even on the answers that filter gives itself (302, 401, 403). WebSocket upgrade requests
 * pass untouched: a {@code 101} carries no document.
 *
 * <p>The policy allows scripts and styles from the relay's own origin only (no inline script,
 * style or handler: the pages have none), fetches to the relay only, forms that post to the relay
 * only, and no framing. HSTS only on the TLS listener ({@code isSecure()}): on the loopback HTTP
 * listener it would be ignored by browsers anyway, and it is not that listener's promise.
 */
public class SecurityHeadersFilter extends HttpFilter {

    /** The console's Content-Security-Policy. */
    public static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
            + " connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";
    /** One year, as the HSTS preload rules ask for; subdomains are not the relay's to decide. */
    public static final String HSTS = "max-age=31536000";

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        if (!"websocket".equalsIgnoreCase(req.getHeader("Upgrade"))) { // not "h2c" etc.: those get the headers
            res.setHeader("Content-Security-Policy", CSP);
            res.setHeader("X-Content-Type-Options", "nosniff");
            res.setHeader("Referrer-Policy", "no-referrer");
            res.setHeader("X-Frame-Options", "DENY");
            res.setHeader("Cross-Origin-Opener-Policy", "same-origin");
            res.setHeader("Cross-Origin-Resource-Policy", "same-origin");
            if (req.isSecure()) {
                res.setHeader("Strict-Transport-Security", HSTS);
            }
        }
        chain.doFilter(req, res);
    }
}
