package io.securerelay.desk.web.internal;

import io.securerelay.desk.Desk;
import io.securerelay.desk.DeskStatus;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** The desk's identity, relay connection and totals. */
@Path("api/v1/status")
@Produces(MediaType.APPLICATION_JSON)
public final class StatusResource {
    private final Desk desk;

    public StatusResource(Desk desk) {
        this.desk = desk;
    }

    @GET
    public DeskStatus status() {
        return desk.status();
    }
}
