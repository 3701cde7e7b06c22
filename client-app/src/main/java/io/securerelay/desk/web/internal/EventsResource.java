package io.securerelay.desk.web.internal;

import io.securerelay.desk.DeskException;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.Sse;
import jakarta.ws.rs.sse.SseEventSink;

/** Live events as server-sent events: named by {@code DeskEvent.type}, JSON data, heartbeat comments. */
@Path("api/v1/events")
public final class EventsResource {
    private final EventHub hub;

    public EventsResource(EventHub hub) {
        this.hub = hub;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public void events(@Context SseEventSink sink, @Context Sse sse) {
        if (!hub.add(sink, sse)) {
            throw new DeskException(DeskException.Kind.UNAVAILABLE, "Too many open event streams.");
        }
    }
}
