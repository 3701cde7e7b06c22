package io.securerelay.relay.admin;

import jakarta.inject.Inject;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.logging.Logger;

/**
 * {@code POST /admin/login} (fields {@code user}, {@code password}) logs in: a new session (its ID
 * changes at login), valid 30 minutes after the last request; {@code POST /admin/logout} ends it.
 */
@WebServlet(urlPatterns = {"/admin/login", "/admin/logout"})
public class AdminLoginServlet extends HttpServlet {

    private static final Logger LOG = Logger.getLogger(AdminLoginServlet.class.getName());
    private static final int SESSION_SECONDS = 30 * 60;

    @Inject
    AdminCredentials credentials;

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
            res.sendRedirect(base + "login.html");
            return;
        }
        if (!credentials.check(req.getParameter("user"), req.getParameter("password"))) {
            LOG.warning(() -> "admin console: failed login from " + req.getRemoteAddr());
            res.sendRedirect(base + "login.html?failed");
            return;
        }
        if (old != null) {
            old.invalidate(); // no session fixation: a fresh session (and ID) for the logged-in operator
        }
        HttpSession session = req.getSession(true);
        session.setMaxInactiveInterval(SESSION_SECONDS);
        session.setAttribute(AdminFilter.SESSION_USER, req.getParameter("user"));
        LOG.info(() -> "admin console: login from " + req.getRemoteAddr());
        res.sendRedirect(base);
    }
}
