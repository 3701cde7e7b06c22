package io.securerelay.desk.web.internal;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Map;

/**
 * The agents' web GUI: a few static files from the class path (no build step, nothing from elsewhere),
 * a fixed list, so no path ever reaches the file system. Public: the page asks for the login itself.
 */
@Path("/")
@Public
public final class GuiResource {
    private static final String DIR = "/io/securerelay/desk/web/gui/";
    private static final Map<String, String> ASSETS = Map.of(
            "index.html", "text/html; charset=utf-8",
            "desk.css", "text/css; charset=utf-8",
            "desk.js", "text/javascript; charset=utf-8",
            "favicon.svg", "image/svg+xml");

    @GET
    public Response root() {
        return Response.seeOther(URI.create("/desk/")).build();
    }

    @GET
    @Path("desk")
    public Response index() {
        return asset("index.html");
    }

    @GET
    @Path("desk/{asset}")
    public Response asset(@PathParam("asset") String name) {
        String type = ASSETS.get(name);
        if (type == null) {
            throw new NotFoundException();
        }
        try (InputStream in = GuiResource.class.getResourceAsStream(DIR + name)) {
            if (in == null) {
                throw new NotFoundException();
            }
            return Response.ok(in.readAllBytes(), type).build();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
