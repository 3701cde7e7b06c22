package io.securerelay.relay.admin;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.Set;

/**
 * Guards everything under {@code /admin}: without a logged-in session, the JSON API answers 401
 * and pages redirect (302) to the login page. Only the login page, its script and style sheet and
 * the login form's target are open. A request that can change state (any method but GET, HEAD,
 * OPTIONS: in practice the POSTs) is refused (403) if the browser marks it as coming from another
 * site, and a logged-in session's also without the session's anti-CSRF token
 * ({@link AdminCsrf}). Nothing under {@code /admin} is cached ({@code Cache-Control: no-store});
 * the other security headers come from {@link SecurityHeadersFilter}, mapped before this filter in
 * {@code WEB-INF/web.xml}.
 *
 * <p>A form login with the container's session rather than HTTP BASIC: BASIC has no logout, makes
 * the browser resend the password with every poll, and its dialog cannot be styled or driven
 * reliably by a headless browser; a servlet filter rather than Jakarta Security, whose form and
 * identity-store wiring on Payara Micro needs a realm configuration outside the WAR.
 */
public class AdminFilter extends HttpFilter {

    /** The session attribute that marks a logged-in operator (its value: the user name). */
    static final String SESSION_USER = "relay.admin.user";

    private static final Set<String> OPEN = Set.of("/admin/login", "/admin/login.html", "/admin/login.js", "/admin/admin.css");

    /** Methods that change nothing (RFC 9110 9.2.1); every other one needs the CSRF checks. */
    private static final Set<String> SAFE_METHODS = Set.of("GET", "HEAD", "OPTIONS");

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        res.setHeader("Cache-Control", "no-store");
        String path = req.getRequestURI().substring(req.getContextPath().length());
        boolean changesState = !SAFE_METHODS.contains(req.getMethod());
        if (changesState && AdminCsrf.crossOrigin(req)) {
            forbidden(res, "cross-site request refused");
            return;
        }
        if (OPEN.contains(path)) {
            chain.doFilter(req, res);
            return;
        }
        HttpSession session = req.getSession(false);
        if (session != null && session.getAttribute(SESSION_USER) != null) {
            if (changesState && !AdminCsrf.carriesToken(req)) {
                forbidden(res, "missing or wrong anti-CSRF token");
                return;
            }
            chain.doFilter(req, res);
            return;
        }
        if (path.startsWith("/admin/api/")) {
            res.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
            res.setContentType("application/json");
            res.getWriter().write("{\"error\":\"login required\"}");
        } else {
            res.sendRedirect(req.getContextPath() + "/admin/login.html");
        }
    }

    private static void forbidden(HttpServletResponse res, String why) throws IOException {
        res.setStatus(HttpServletResponse.SC_FORBIDDEN);
        res.setContentType("text/plain;charset=UTF-8");
        res.getWriter().write(why + "\n");
    }
}
