package io.securerelay.relay.admin;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpSession;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;

/**
 * Cross-site request forgery defences of the admin console, two layers:
 * <ul>
 *   <li>every POST (the login included) is refused if the browser says it comes from another
 *       origin: {@code Sec-Fetch-Site} other than {@code same-origin} or, from a browser that
 *       sends no {@code Sec-Fetch-Site}, an {@code Origin} other than the relay's own (scheme and
 *       {@code Host} of the request). A request with neither header is not from a browser page,
 *       so it cannot be forged by one (the order of Go's {@code http.CrossOriginProtection});</li>
 *   <li>every POST of a logged-in session (sign-out, and any later state change) must also carry
 *       the session's anti-CSRF token, as form field {@value #FIELD} or header {@value #HEADER}:
 *       32 random bytes made at login, kept in the session, handed to the page by
 *       {@code GET /admin/api/session} (readable only by same-origin scripts) and compared in
 *       constant time.</li>
 * </ul>
 * The session cookie's {@code SameSite=Strict} is a third layer, kept by the browser.
 */
final class AdminCsrf {

    /** The form field that carries the token. */
    static final String FIELD = "csrf";
    /** The request header that carries the token (for scripts). */
    static final String HEADER = "X-CSRF-Token";
    /** The session attribute holding the token. */
    static final String SESSION_TOKEN = "relay.admin.csrf";

    private AdminCsrf() {
    }

    /** Makes the token of a new session and stores it there. */
    static String issue(HttpSession session, SecureRandom random) {
        byte[] t = new byte[32];
        random.nextBytes(t);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(t);
        session.setAttribute(SESSION_TOKEN, token);
        return token;
    }

    /** The session's token, or {@code null}. */
    static String tokenOf(HttpSession session) {
        return session == null ? null : (String) session.getAttribute(SESSION_TOKEN);
    }

    /** Whether the request carries its session's token (form field or header). */
    static boolean carriesToken(HttpServletRequest req) {
        String expected = tokenOf(req.getSession(false));
        String given = req.getHeader(HEADER);
        if (given == null) {
            given = req.getParameter(FIELD);
        }
        return expected != null && given != null && MessageDigest.isEqual(
                expected.getBytes(StandardCharsets.US_ASCII), given.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Whether the browser marked the request as coming from another site or origin. Absent
     * headers do not count against it (a non-browser client, which no web page can drive).
     */
    static boolean crossOrigin(HttpServletRequest req) {
        String site = req.getHeader("Sec-Fetch-Site");
        if (site != null) {
            // Set by the browser alone (a forbidden header name for scripts), and exact: it wins.
            return !site.equalsIgnoreCase("same-origin");
        }
        // Browsers without Fetch Metadata: the Origin. Under the console's Referrer-Policy
        // no-referrer a browser sends "Origin: null" even for a same-origin form POST, so such a
        // browser cannot log in: refused, never let through (fail closed).
        String origin = req.getHeader("Origin");
        if (origin == null) {
            return false;
        }
        String host = req.getHeader("Host");
        return host == null || !origin.toLowerCase(Locale.ROOT).equals(
                req.getScheme().toLowerCase(Locale.ROOT) + "://" + host.toLowerCase(Locale.ROOT));
    }
}
