package io.securerelay.relay.admin;

import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.SessionCookieConfig;
import jakarta.servlet.annotation.WebListener;
import jakarta.servlet.http.HttpServletResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * The session cookie (used only by the admin console: the relay's WebSocket needs none) is
 * HttpOnly, Secure (sent over TLS only), {@code SameSite=Strict} and limited to {@code /admin};
 * it has no expiry date (the browser drops it when it closes) and is deleted at sign-out.
 *
 * <p>Payara 6.2025.10 applies HttpOnly, Secure and the path from {@link SessionCookieConfig} but
 * ignores {@code setAttribute("SameSite", …)} (docs/PAYARA-NOTES.md), so {@link #sameSiteStrict}
 * adds it to the {@code Set-Cookie} header the container wrote when the session was created.
 */
@WebListener
public class AdminSessionCookies implements ServletContextListener {

    private static final String SAME_SITE = "SameSite=Strict";

    @Override
    public void contextInitialized(ServletContextEvent event) {
        SessionCookieConfig cookie = event.getServletContext().getSessionCookieConfig();
        cookie.setHttpOnly(true);
        cookie.setSecure(true);
        cookie.setPath(path(event.getServletContext()));
        cookie.setAttribute("SameSite", "Strict"); // the standard way; not applied by Payara 6.2025.10
    }

    /** Adds {@code SameSite=Strict} to every {@code Set-Cookie} header of {@code res} that lacks it. */
    static void sameSiteStrict(HttpServletResponse res) {
        List<String> cookies = new ArrayList<>(res.getHeaders("Set-Cookie"));
        for (int i = 0; i < cookies.size(); i++) {
            String c = cookies.get(i);
            String fixed = c.toLowerCase(java.util.Locale.ROOT).contains("samesite=") ? c : c + "; " + SAME_SITE;
            if (i == 0) {
                res.setHeader("Set-Cookie", fixed);
            } else {
                res.addHeader("Set-Cookie", fixed);
            }
        }
    }

    /** Tells the browser to delete the session cookie now (at sign-out; the session itself is invalidated too). */
    static void expire(ServletContext context, HttpServletResponse res) {
        String name = context.getSessionCookieConfig().getName();
        res.addHeader("Set-Cookie", (name == null ? "JSESSIONID" : name) + "=; Path=" + path(context)
                + "; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; " + SAME_SITE);
    }

    private static String path(ServletContext context) {
        return context.getContextPath() + "/admin";
    }
}
