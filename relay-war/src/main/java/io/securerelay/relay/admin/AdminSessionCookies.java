package io.securerelay.relay.admin;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.SessionCookieConfig;
import jakarta.servlet.annotation.WebListener;

/**
 * The session cookie (used only by the admin console: the relay's WebSocket needs none) is
 * HttpOnly, Secure (sent over TLS only) and limited to {@code /admin}. SameSite=Strict is asked
 * for too, but Payara 6.2025.10 does not send it (docs/PAYARA-NOTES.md).
 */
@WebListener
public class AdminSessionCookies implements ServletContextListener {

    @Override
    public void contextInitialized(ServletContextEvent event) {
        SessionCookieConfig cookie = event.getServletContext().getSessionCookieConfig();
        cookie.setHttpOnly(true);
        cookie.setSecure(true);
        cookie.setPath(event.getServletContext().getContextPath() + "/admin");
        cookie.setAttribute("SameSite", "Strict");
    }
}
