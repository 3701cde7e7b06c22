package io.securerelay.desk.web.internal;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;
import jakarta.ws.rs.ext.ContextResolver;

/** One JSON-B (Yasson) for the API: instants as ISO-8601 (JSON-B's default for {@code Instant}), nulls written out. */
public final class JsonbResolver implements ContextResolver<Jsonb>, AutoCloseable {
    private final Jsonb jsonb = JsonbBuilder.create(new JsonbConfig().withNullValues(true));

    @Override
    public Jsonb getContext(Class<?> type) {
        return jsonb;
    }

    @Override
    public void close() throws Exception {
        jsonb.close();
    }
}
