package io.securerelay.desk.web.internal;

import jakarta.json.JsonObject;

/** The request bodies of the API (JSON); every field may be missing, the resources check them. */
public final class ApiBodies {
    private ApiBodies() {
    }

    /** {@code POST /api/v1/customers/{id}/messages}. */
    public record Text(String text) {
    }

    /** {@code POST /api/v1/customers/{id}/read}. */
    public record Cursor(Long cursor) {
    }

    /** {@code POST /api/v1/customers/{id}/retrust}: the fingerprint the agent checked out of band. */
    public record Fingerprint(String fingerprint) {
    }

    /** {@code PATCH /api/v1/customers/{id}}. */
    public record Label(String label) {
    }

    /** {@code POST /api/v1/customers}: the content of a {@code *_public_identity_key.json} file, and a label. */
    public record Registration(String label, JsonObject publicIdentityKey) {
    }

    /** {@code POST /api/v1/session}: the GUI's login. */
    public record Login(String token) {
        @Override
        public String toString() {
            return "Login[redacted]";
        }
    }
}
