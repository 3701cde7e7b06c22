package io.securerelay.desk.web.internal;

import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.glassfish.grizzly.http.server.Request;

/**
 * The GUI's login: the agent types the API token; the answer sets an HttpOnly, SameSite=Strict (and on
 * TLS Secure, {@code __Host-}) session cookie. The login itself passes the CSRF check (no login CSRF)
 * and the throttle.
 */
@Path("api/v1/session")
@Produces(MediaType.APPLICATION_JSON)
public final class SessionResource {
    private static final String INSTANCE = "/api/v1/session";

    private final WebContext web;
    @Inject
    private Provider<Request> grizzly;

    public SessionResource(WebContext web) {
        this.web = web;
    }

    @POST
    @Public
    @Consumes(MediaType.APPLICATION_JSON)
    public Response login(ApiBodies.Login body, @Context HttpHeaders headers) {
        String address = AuthFilter.remoteAddress(grizzly);
        long wait = web.throttle().retryAfterSeconds(address);
        if (wait > 0) {
            return WebContext.throttled(INSTANCE, wait);
        }
        String refusal = web.csrfRefusal(headers::getHeaderString);
        if (refusal != null) {
            return WebContext.forbidden(INSTANCE, refusal);
        }
        if (body == null || !web.token().matches(body.token())) {
            web.throttle().failed(address);
            return WebContext.unauthenticated(INSTANCE, true);
        }
        web.throttle().succeeded(address);
        return Response.noContent().header(HttpHeaders.SET_COOKIE, web.sessionCookie(web.sessions().open())).build();
    }

    @DELETE
    public Response logout(@Context HttpHeaders headers) {
        Cookie c = headers.getCookies().get(web.cookieName());
        if (c != null) {
            web.sessions().close(c.getValue());
        }
        return Response.noContent().header(HttpHeaders.SET_COOKIE, web.clearedCookie()).build();
    }
}
