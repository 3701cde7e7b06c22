package io.securerelay.desk.web.internal;

import io.securerelay.desk.DeskException;
import jakarta.json.bind.JsonbException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Every error as an RFC 9457 problem document: the desk's refusals, JAX-RS' own, bad JSON, and bugs. */
public final class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class.getName());

    private ProblemMappers() {
    }

    static String instance(UriInfo uri) {
        return uri == null ? null : "/" + uri.getPath();
    }

    /** {@link DeskException}: NOT_FOUND 404, BAD_REQUEST 400, CONFLICT 409, UNAVAILABLE 503; its sentence is the detail. */
    public static final class DeskRefusal implements ExceptionMapper<DeskException> {
        @Context
        private UriInfo uri;

        @Override
        public Response toResponse(DeskException e) {
            Problem p;
            switch (e.kind()) {
                case NOT_FOUND: p = new Problem(Problem.NOT_FOUND, "Not found", 404, e.getMessage(), instance(uri)); break;
                case BAD_REQUEST: p = new Problem(Problem.BAD_REQUEST, "Bad request", 400, e.getMessage(), instance(uri)); break;
                case CONFLICT: p = new Problem(Problem.CONFLICT, "Conflict", 409, e.getMessage(), instance(uri)); break;
                case UNAVAILABLE:
                    return new Problem(Problem.UNAVAILABLE, "Unavailable", 503, e.getMessage(), instance(uri)).response()
                            .header("Retry-After", "5").build();
                default: throw new AssertionError(e.kind());
            }
            return p.response().build();
        }
    }

    /** JAX-RS' own errors (unknown path, wrong method, unsupported media type, …) keep their status. */
    public static final class JaxRs implements ExceptionMapper<WebApplicationException> {
        @Context
        private UriInfo uri;

        @Override
        public Response toResponse(WebApplicationException e) {
            int status = e.getResponse().getStatus();
            if (e.getCause() instanceof JsonbException) {
                return badJson(uri);
            }
            Response.ResponseBuilder b;
            switch (status) {
                case 400: b = new Problem(Problem.BAD_REQUEST, "Bad request", 400, "The request is not one the desk understands.", instance(uri)).response(); break;
                case 404: b = new Problem(Problem.NOT_FOUND, "Not found", 404, "There is nothing at this address.", instance(uri)).response(); break;
                case 405:
                    b = new Problem(Problem.METHOD_NOT_ALLOWED, "Method not allowed", 405,
                            "This address does not answer that method.", instance(uri)).response();
                    if (e instanceof NotAllowedException) {
                        b.allow(e.getResponse().getAllowedMethods());
                    }
                    break;
                case 406: b = new Problem(Problem.NOT_ACCEPTABLE, "Not acceptable", 406, "The desk answers in JSON (or text/event-stream for events).", instance(uri)).response(); break;
                case 413: b = new Problem(Problem.TOO_LARGE, "Payload too large", 413, "The request body is larger than the desk accepts (64 KiB).", instance(uri)).response(); break;
                case 415: b = new Problem(Problem.UNSUPPORTED, "Unsupported media type", 415, "Send application/json.", instance(uri)).response(); break;
                default:
                    if (status >= 500) {
                        return Unexpected.answer(e, uri, null);
                    }
                    Response.StatusType st = Response.Status.fromStatusCode(status);
                    b = new Problem("about:blank", st == null ? "Error" : st.getReasonPhrase(), status, "The request was refused.", instance(uri)).response();
            }
            return b.build();
        }
    }

    /** A body that is not the JSON expected: 400. */
    public static final class BadJson implements ExceptionMapper<JsonbException> {
        @Context
        private UriInfo uri;

        @Override
        public Response toResponse(JsonbException e) {
            return badJson(uri);
        }
    }

    /** Jersey wraps a JSON-B failure while reading the entity in a ProcessingException: 400 too; anything else, 500. */
    public static final class Processing implements ExceptionMapper<ProcessingException> {
        @Context
        private UriInfo uri;
        @Context
        private Request request;

        @Override
        public Response toResponse(ProcessingException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof JsonbException || t instanceof jakarta.json.JsonException) {
                    return badJson(uri);
                }
            }
            return Unexpected.answer(e, uri, request);
        }
    }

    static Response badJson(UriInfo uri) {
        return new Problem(Problem.BAD_REQUEST, "Bad request", 400, "The body is not the JSON this address takes.",
                instance(uri)).response().build();
    }

    /** Anything else is a bug: 500 with a generic detail and an incident number; the class and where it was thrown are logged. */
    public static final class Unexpected implements ExceptionMapper<Throwable> {
        private static final SecureRandom IDS = new SecureRandom();

        @Context
        private UriInfo uri;
        @Context
        private Request request;
        @Context
        private HttpHeaders headers;

        @Override
        public Response toResponse(Throwable e) {
            return answer(e, uri, request);
        }

        static Response answer(Throwable e, UriInfo uri, Request request) {
            byte[] id = new byte[6];
            IDS.nextBytes(id);
            String incident = HexFormat.of().formatHex(id);
            StackTraceElement at = e.getStackTrace().length > 0 ? e.getStackTrace()[0] : null;
            // The class and the frame only: an exception's message may quote data (a text, a key).
            LOG.log(Level.WARNING, "desk web: unexpected {0} (incident {1}) on {2} {3} at {4}", new Object[] {
                e.getClass().getName(), incident, request == null ? "?" : request.getMethod(), instance(uri), at});
            return new Problem(Problem.SERVER_ERROR, "Internal server error", 500,
                    "Something went wrong on the desk; it was logged as incident " + incident + ".", instance(uri))
                    .response().build();
        }
    }
}
