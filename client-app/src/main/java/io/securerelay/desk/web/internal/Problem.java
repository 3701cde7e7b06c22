package io.securerelay.desk.web.internal;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * An RFC 9457 problem document, the body of every error the desk's HTTP side answers with
 * ({@code application/problem+json}). {@code detail} is a sentence for a person: never a key, a token,
 * a message text or a stack trace.
 */
public record Problem(String type, String title, int status, String detail, String instance) {

    public static final String MEDIA_TYPE = "application/problem+json";
    public static final MediaType MEDIA = MediaType.valueOf(MEDIA_TYPE);

    /** The problem types (URNs; docs/DESK-API.md lists them). */
    public static final String NOT_FOUND = "urn:secure-relay:desk:problem:not-found";
    public static final String BAD_REQUEST = "urn:secure-relay:desk:problem:bad-request";
    public static final String CONFLICT = "urn:secure-relay:desk:problem:conflict";
    public static final String UNAVAILABLE = "urn:secure-relay:desk:problem:unavailable";
    public static final String UNAUTHENTICATED = "urn:secure-relay:desk:problem:unauthenticated";
    public static final String FORBIDDEN = "urn:secure-relay:desk:problem:forbidden";
    public static final String TOO_MANY_ATTEMPTS = "urn:secure-relay:desk:problem:too-many-attempts";
    public static final String METHOD_NOT_ALLOWED = "urn:secure-relay:desk:problem:method-not-allowed";
    public static final String UNSUPPORTED = "urn:secure-relay:desk:problem:unsupported-media-type";
    public static final String NOT_ACCEPTABLE = "urn:secure-relay:desk:problem:not-acceptable";
    public static final String TOO_LARGE = "urn:secure-relay:desk:problem:too-large";
    public static final String SERVER_ERROR = "urn:secure-relay:desk:problem:server-error";

    /** The response carrying this problem. */
    public Response.ResponseBuilder response() {
        return Response.status(status).type(MEDIA).entity(this);
    }
}
