package io.securerelay.desk.web.internal;

import io.securerelay.desk.web.ApiToken;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.function.Function;

/** What the filters and resources share: the token, the sessions, the throttle, and whether the listener is TLS. */
public final class WebContext {
    /** The header a cookie session's state-changing request carries (a cross-site form cannot set it). */
    public static final String CSRF_HEADER = "X-Desk-Request";
    static final String REALM = "Bearer realm=\"secure-relay desk\"";

    private final ApiToken token;
    private final SessionStore sessions;
    private final LoginThrottle throttle;
    private final boolean tls;

    public WebContext(ApiToken token, SessionStore sessions, LoginThrottle throttle, boolean tls) {
        this.token = token;
        this.sessions = sessions;
        this.throttle = throttle;
        this.tls = tls;
    }

    public ApiToken token() {
        return token;
    }

    public SessionStore sessions() {
        return sessions;
    }

    public LoginThrottle throttle() {
        return throttle;
    }

    public boolean tls() {
        return tls;
    }

    /** {@code __Host-} on TLS (the browser then insists on Secure, Path=/ and no Domain). */
    public String cookieName() {
        return tls ? "__Host-desk_session" : "desk_session";
    }

    public String sessionCookie(String value) {
        return cookieName() + "=" + value + "; Path=/; Max-Age=" + sessions.lifetime().toSeconds()
                + "; HttpOnly; SameSite=Strict" + (tls ? "; Secure" : "");
    }

    public String clearedCookie() {
        return cookieName() + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict" + (tls ? "; Secure" : "");
    }

    /**
     * The CSRF defence for a browser's state-changing request: the custom header (which a cross-site
     * form or a simple request cannot carry), an {@code Origin} (if sent) equal to this server's own,
     * and a {@code Sec-Fetch-Site} (if sent) of same-origin. Null if it passes, else the reason.
     */
    public String csrfRefusal(Function<String, String> header) {
        if (!"1".equals(header.apply(CSRF_HEADER))) {
            return "A request from the desk's page carries the header " + CSRF_HEADER + ": 1.";
        }
        String origin = header.apply("Origin");
        String host = header.apply(HttpHeaders.HOST);
        if (origin != null && (host == null || !origin.equalsIgnoreCase((tls ? "https://" : "http://") + host))) {
            return "The request comes from another site.";
        }
        String site = header.apply("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            return "The request comes from another site.";
        }
        return null;
    }

    static Response unauthenticated(String instance, boolean badToken) {
        return new Problem(Problem.UNAUTHENTICATED, "Unauthenticated", 401,
                badToken ? "The token is not the desk's." : "Log in, or send Authorization: Bearer <token>.", instance)
                .response().header(HttpHeaders.WWW_AUTHENTICATE, badToken ? REALM + ", error=\"invalid_token\"" : REALM)
                .build();
    }

    static Response throttled(String instance, long seconds) {
        return new Problem(Problem.TOO_MANY_ATTEMPTS, "Too many attempts", 429,
                "Too many wrong tokens from here; try again in " + seconds + " s.", instance)
                .response().header("Retry-After", Long.toString(seconds)).build();
    }

    static Response forbidden(String instance, String reason) {
        return new Problem(Problem.FORBIDDEN, "Forbidden", 403, reason, instance).response().build();
    }
}
