package io.securerelay.desk.web.internal;

import io.securerelay.desk.CustomerView;
import io.securerelay.desk.Desk;
import io.securerelay.desk.DeskException;
import io.securerelay.desk.MessageView;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.util.List;

/** The customers and their conversations: thin, every decision is the {@link Desk}'s. */
@Path("api/v1/customers")
@Produces(MediaType.APPLICATION_JSON)
public final class CustomersResource {
    /** Messages per page when {@code limit} is not given. */
    public static final int DEFAULT_LIMIT = 100;

    private final Desk desk;

    public CustomersResource(Desk desk) {
        this.desk = desk;
    }

    @GET
    public List<CustomerView> list() {
        return desk.customers();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    public Response register(ApiBodies.Registration body, @Context UriInfo uri) {
        if (body == null || body.publicIdentityKey() == null) {
            throw bad("Send {\"label\": …, \"publicIdentityKey\": {the content of the *_public_identity_key.json file}}.");
        }
        CustomerView c = desk.register(body.label(), body.publicIdentityKey().toString());
        return Response.created(uri.getBaseUriBuilder().path("api/v1/customers/{id}").build(c.id())).entity(c).build();
    }

    @GET
    @Path("{id}")
    public CustomerView one(@PathParam("id") String id) {
        return desk.customer(customerId(id));
    }

    @PATCH
    @Path("{id}")
    @Consumes({MediaType.APPLICATION_JSON, "application/merge-patch+json"})
    public CustomerView rename(@PathParam("id") String id, ApiBodies.Label body) {
        long customer = customerId(id);
        if (body == null || body.label() == null) {
            throw bad("Send {\"label\": \"…\"}.");
        }
        return desk.rename(customer, body.label());
    }

    @GET
    @Path("{id}/messages")
    public List<MessageView> messages(@PathParam("id") String id, @QueryParam("after") String after,
            @QueryParam("limit") String limit) {
        long customer = customerId(id);
        long a = after == null || after.isEmpty() ? 0 : number(after, "after is a cursor (0 or more).");
        long l = limit == null || limit.isEmpty() ? DEFAULT_LIMIT : number(limit, "limit is 1 to 1000.");
        if (a < 0) {
            throw bad("after is a cursor (0 or more).");
        }
        if (l < 1 || l > 1000) {
            throw bad("limit is 1 to 1000.");
        }
        return desk.messages(customer, a, (int) l);
    }

    @GET
    @Path("{id}/messages/{cursor}")
    public MessageView message(@PathParam("id") String id, @PathParam("cursor") String cursor) {
        long customer = customerId(id);
        long c;
        try {
            c = Long.parseLong(cursor);
        } catch (NumberFormatException e) {
            c = -1;
        }
        if (c > 0) {
            List<MessageView> one = desk.messages(customer, c - 1, 1);
            if (!one.isEmpty() && one.get(0).cursor() == c) {
                return one.get(0);
            }
        }
        throw new DeskException(DeskException.Kind.NOT_FOUND, "This conversation has no message " + cursor + ".");
    }

    @POST
    @Path("{id}/messages")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response send(@PathParam("id") String id, ApiBodies.Text body, @Context UriInfo uri) {
        long customer = customerId(id);
        if (body == null || body.text() == null) {
            throw bad("Send {\"text\": \"…\"}.");
        }
        MessageView m = desk.send(customer, body.text());
        return Response.created(uri.getBaseUriBuilder().path("api/v1/customers/{id}/messages/{cursor}")
                .build(customer, m.cursor())).entity(m).build();
    }

    @POST
    @Path("{id}/read")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response read(@PathParam("id") String id, ApiBodies.Cursor body) {
        long customer = customerId(id);
        if (body == null || body.cursor() == null || body.cursor() < 0) {
            throw bad("Send {\"cursor\": n}, the last message read.");
        }
        desk.markRead(customer, body.cursor());
        return Response.noContent().build();
    }

    @POST
    @Path("{id}/retrust")
    @Consumes(MediaType.APPLICATION_JSON)
    public CustomerView retrust(@PathParam("id") String id, ApiBodies.Fingerprint body) {
        long customer = customerId(id);
        if (body == null || body.fingerprint() == null || body.fingerprint().isBlank()) {
            throw bad("Send {\"fingerprint\": \"…\"}, the new fingerprint checked with the customer.");
        }
        return desk.retrust(customer, body.fingerprint().strip());
    }

    /** A customer number from the path; anything else names no customer. */
    static long customerId(String id) {
        try {
            long n = Long.parseLong(id);
            if (n > 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // not a number: no such customer
        }
        throw new DeskException(DeskException.Kind.NOT_FOUND, "There is no customer " + shortened(id) + ".");
    }

    private static String shortened(String s) {
        return s.length() <= 20 ? s : s.substring(0, 20) + "…";
    }

    private static long number(String s, String sentence) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw bad(sentence);
        }
    }

    private static DeskException bad(String sentence) {
        return new DeskException(DeskException.Kind.BAD_REQUEST, sentence);
    }
}
