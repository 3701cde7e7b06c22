package io.securerelay.desk.web.internal;

import jakarta.annotation.Priority;
import jakarta.inject.Inject;
import jakarta.inject.Provider;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import java.lang.reflect.Method;
import java.util.Set;
import org.glassfish.grizzly.http.server.Request;

/**
 * Every matched resource method authenticates unless it is {@link Public}: a bearer token in
 * {@code Authorization}, or the GUI's session cookie, whose state-changing requests also pass the CSRF
 * check. Wrong tokens count against the login throttle. Unauthenticated: 401 problem with
 * {@code WWW-Authenticate}.
 */
@Priority(Priorities.AUTHENTICATION)
public final class AuthFilter implements ContainerRequestFilter {
    private static final Set<String> SAFE = Set.of("GET", "HEAD", "OPTIONS");

    private final WebContext web;
    @Context
    private ResourceInfo resource;
    @Inject
    private Provider<Request> grizzly;

    public AuthFilter(WebContext web) {
        this.web = web;
    }

    static String remoteAddress(Provider<Request> grizzly) {
        try {
            Request r = grizzly == null ? null : grizzly.get();
            return r == null ? null : r.getRemoteAddr();
        } catch (RuntimeException e) {
            return null;
        }
    }

    @Override
    public void filter(ContainerRequestContext ctx) {
        Method m = resource.getResourceMethod();
        Class<?> c = resource.getResourceClass();
        if ((m != null && m.isAnnotationPresent(Public.class)) || (c != null && c.isAnnotationPresent(Public.class))) {
            return;
        }
        String instance = "/" + ctx.getUriInfo().getPath();
        String authorization = ctx.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (authorization != null) {
            String address = remoteAddress(grizzly);
            long wait = web.throttle().retryAfterSeconds(address);
            if (wait > 0) {
                ctx.abortWith(WebContext.throttled(instance, wait));
                return;
            }
            boolean bearer = authorization.regionMatches(true, 0, "Bearer ", 0, 7);
            if (!bearer || !web.token().matches(authorization.substring(7).strip())) {
                web.throttle().failed(address);
                ctx.abortWith(WebContext.unauthenticated(instance, true));
            }
            return;
        }
        Cookie cookie = ctx.getCookies().get(web.cookieName());
        if (cookie != null && web.sessions().valid(cookie.getValue())) {
            if (!SAFE.contains(ctx.getMethod())) {
                String refusal = web.csrfRefusal(ctx::getHeaderString);
                if (refusal != null) {
                    ctx.abortWith(WebContext.forbidden(instance, refusal));
                }
            }
            return;
        }
        ctx.abortWith(WebContext.unauthenticated(instance, false));
    }
}
