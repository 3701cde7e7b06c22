package io.securerelay.relay.admin;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.annotation.WebFilter;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.Set;

/**
 * Guards everything under {@code /admin}: without a logged-in session, the JSON API answers 401
 * and pages redirect (302) to the login page. Only the login page, its style sheet and the login
 * form's target are open. Every answer carries headers that keep the console out of frames and
 * caches and allow only its own scripts and styles.
 *
 * <p>A form login with the container's session rather than HTTP BASIC: BASIC has no logout, makes
 * the browser resend the password with every poll, and its dialog cannot be styled or driven
 * reliably by a headless browser; a servlet filter rather than Jakarta Security, whose form and
 * identity-store wiring on Payara Micro needs a realm configuration outside the WAR.
 */
@WebFilter(urlPatterns = {"/admin", "/admin/*"})
public class AdminFilter extends HttpFilter {

    /** The session attribute that marks a logged-in operator (its value: the user name). */
    static final String SESSION_USER = "relay.admin.user";

    private static final Set<String> OPEN = Set.of("/admin/login", "/admin/login.html", "/admin/admin.css");

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        res.setHeader("Cache-Control", "no-store");
        res.setHeader("X-Frame-Options", "DENY");
        res.setHeader("X-Content-Type-Options", "nosniff");
        res.setHeader("Referrer-Policy", "no-referrer");
        res.setHeader("Content-Security-Policy",
                "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'");
        String path = req.getRequestURI().substring(req.getContextPath().length());
        if (OPEN.contains(path)) {
            chain.doFilter(req, res);
            return;
        }
        HttpSession session = req.getSession(false);
        if (session != null && session.getAttribute(SESSION_USER) != null) {
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
}
