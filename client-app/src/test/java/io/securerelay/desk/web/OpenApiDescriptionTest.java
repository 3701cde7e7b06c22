package io.securerelay.desk.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.securerelay.desk.web.internal.OpenApiResource;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.InputStream;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** The hand-written OpenAPI description and the JAX-RS resources describe the same API, both ways. */
class OpenApiDescriptionTest {
    private static final Set<String> VERBS = Set.of("get", "put", "post", "delete", "patch", "head", "options");

    static JsonObject document() throws Exception {
        try (InputStream in = OpenApiResource.class.getResourceAsStream(OpenApiResource.RESOURCE)) {
            return Json.createReader(in).readObject();
        }
    }

    @Test
    void everyResourceMethodIsDescribedAndNothingElse() throws Exception {
        JsonObject doc = document();
        assertTrue(doc.getString("openapi").startsWith("3.1."), doc.getString("openapi"));
        Set<String> described = new TreeSet<>();
        for (var path : doc.getJsonObject("paths").entrySet()) {
            for (String key : path.getValue().asJsonObject().keySet()) {
                if (VERBS.contains(key)) {
                    described.add(key.toUpperCase() + " " + path.getKey());
                }
            }
        }
        Set<String> code = new TreeSet<>();
        for (String[] rm : DeskWebServerTest.resourceMethods()) {
            code.add(rm[0] + " " + rm[1]);
        }
        assertTrue(code.size() >= 15, code.toString());
        Set<String> missing = new TreeSet<>(code);
        missing.removeAll(described);
        Set<String> extra = new TreeSet<>(described);
        extra.removeAll(code);
        assertEquals(Set.of(), missing, "resource methods the description lacks");
        assertEquals(Set.of(), extra, "described operations no resource method serves");
    }

    @Test
    void theProblemSchemaAndEveryReferenceResolve() throws Exception {
        JsonObject doc = document();
        JsonObject problem = doc.getJsonObject("components").getJsonObject("schemas").getJsonObject("Problem");
        assertEquals(Set.of("type", "title", "status", "detail", "instance"), problem.getJsonObject("properties").keySet());
        assertEquals("application/problem+json", doc.getJsonObject("components").getJsonObject("responses")
                .getJsonObject("Problem").getJsonObject("content").keySet().iterator().next());
        assertRefsResolve(doc, doc);
        for (var path : doc.getJsonObject("paths").entrySet()) {
            for (var op : path.getValue().asJsonObject().entrySet()) {
                if (VERBS.contains(op.getKey()) && !path.getKey().startsWith("/desk") && !path.getKey().equals("/")) {
                    JsonObject responses = op.getValue().asJsonObject().getJsonObject("responses");
                    boolean authenticated = !op.getValue().asJsonObject().containsKey("security");
                    if (authenticated) {
                        assertTrue(responses.containsKey("401"), op.getKey() + " " + path.getKey() + " documents its 401");
                    }
                }
            }
        }
    }

    private static void assertRefsResolve(JsonObject doc, JsonValue v) {
        if (v instanceof JsonObject) {
            JsonObject o = (JsonObject) v;
            if (o.containsKey("$ref")) {
                String ref = o.getString("$ref");
                assertTrue(ref.startsWith("#/"), ref);
                JsonValue target = doc;
                for (String part : ref.substring(2).split("/")) {
                    assertTrue(target instanceof JsonObject && ((JsonObject) target).containsKey(part), "unresolved " + ref);
                    target = ((JsonObject) target).get(part);
                }
            }
            o.values().forEach(x -> assertRefsResolve(doc, x));
        } else if (v != null && v.getValueType() == JsonValue.ValueType.ARRAY) {
            v.asJsonArray().forEach(x -> assertRefsResolve(doc, x));
        }
    }

    @Test
    void itIsServedToAnAuthenticatedClient() throws Exception {
        DeskWebServerTest.start();
        try {
            var r = DeskWebServerTest.get("/api/openapi.json");
            assertEquals(200, r.statusCode());
            assertEquals(document(), DeskWebServerTest.object(r));
            assertEquals(401, DeskWebServerTest.send(DeskWebServerTest.request("/api/openapi.json")).statusCode());
        } finally {
            DeskWebServerTest.stop();
        }
    }
}
