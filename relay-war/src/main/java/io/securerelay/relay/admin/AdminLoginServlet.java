package io.securerelay.relay.admin;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * {@code POST /admin/login} (fields {@code user}, {@code password}) logs in: a new session (its ID
 * changes at login) with a new anti-CSRF token, valid 30 minutes after the last request;
 * {@code POST /admin/logout} (with the token, checked by {@link AdminFilter}) ends it and deletes
 * the cookie. An address locked out by {@link LoginThrottle} gets {@code 429} with
 * {@code Retry-After}, whatever the password.
 */
@WebServlet(urlPatterns = {"/admin/login", "/admin/logout"})
public class AdminLoginServlet extends HttpServlet {

    private static final Logger LOG = Logger.getLogger(AdminLoginServlet.class.getName());
    private static final int SESSION_SECONDS = 30 * 60;
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    AdminCredentials credentials;

    @Inject
    LoginThrottle throttle;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
        res.sendRedirect(req.getContextPath() + "/admin/login.html");
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse res) throws IOException {
        String base = req.getContextPath() + "/admin/";
        HttpSession old = req.getSession(false);
        if (req.getServletPath().equals("/admin/logout")) {
            if (old != null) {
                old.invalidate();
            }
            AdminSessionCookies.expire(getServletContext(), res);
            res.sendRedirect(base + "login.html");
            return;
        }
        String address = req.getRemoteAddr();
        Optional<Duration> wait = throttle.lockedOut(address);
        if (wait.isPresent()) {
            long seconds = Math.max(1, (wait.get().toMillis() + 999) / 1000);
            LOG.warning(() -> "admin console: login from " + address + " refused unchecked, locked out for "
                    + seconds + " s after repeated failures");
            res.setStatus(429);
            res.setHeader("Retry-After", Long.toString(seconds));
            res.setContentType("text/plain;charset=UTF-8");
            res.getWriter().write("Too many failed sign-ins from your address: try again in " + seconds + " s.\n");
            return;
        }
        if (!credentials.check(req.getParameter("user"), req.getParameter("password"))) {
            Duration lock = throttle.failed(address);
            LOG.warning(() -> "admin console: failed login from " + address
                    + (lock.isZero() ? "" : ", address locked out for " + lock.toSeconds() + " s"));
            res.sendRedirect(base + "login.html?failed");
            return;
        }
        throttle.succeeded(address);
        if (old != null) {
            old.invalidate(); // no session fixation: a fresh session (and ID) for the logged-in operator
        }
        HttpSession session = req.getSession(true);
        session.setMaxInactiveInterval(SESSION_SECONDS);
        session.setAttribute(AdminFilter.SESSION_USER, req.getParameter("user"));
        AdminCsrf.issue(session, RANDOM);
        AdminSessionCookies.sameSiteStrict(res);
        LOG.info(() -> "admin console: login from " + address);
        res.sendRedirect(base);
    }
}
