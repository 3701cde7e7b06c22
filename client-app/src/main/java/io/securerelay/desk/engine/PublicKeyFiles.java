package io.securerelay.desk.engine;

import io.securerelay.crypto.InvalidPublicKeyException;
import io.securerelay.desk.DeskException;
import io.securerelay.identity.IdentityPublicKey;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the content of a {@code <role>_public_identity_key.json} file (what the two-party client
 * writes when it trusts a peer, and what a customer hands its bank to be registered):
 * {@code {"role": …, "public_key": "-----BEGIN PUBLIC KEY-----…", "fingerprint": …}}. The fingerprint,
 * when present, must match the key.
 */
final class PublicKeyFiles {

    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN PUBLIC KEY-----([A-Za-z0-9+/=\\s]+)-----END PUBLIC KEY-----");
    private static final int MAX_LENGTH = 16 * 1024;

    private PublicKeyFiles() {
    }

    static IdentityPublicKey parse(String json) {
        if (json == null || json.isBlank()) {
            throw bad("the public identity key file is empty");
        }
        if (json.length() > MAX_LENGTH) {
            throw bad("this is too long for a public identity key file");
        }
        JsonObject o;
        try (JsonReader r = Json.createReader(new StringReader(json))) {
            JsonValue v = r.readValue();
            if (!(v instanceof JsonObject obj)) {
                throw bad("a public identity key file is a JSON object");
            }
            o = obj;
        } catch (JsonException e) {
            throw bad("this is not a public identity key file (not JSON)");
        }
        if (!(o.get("public_key") instanceof JsonString pem)) {
            throw bad("the file has no \"public_key\" (a PEM public key)");
        }
        Matcher m = PEM.matcher(pem.getString());
        if (!m.find()) {
            throw bad("\"public_key\" is not a PEM PUBLIC KEY");
        }
        IdentityPublicKey key;
        try {
            key = IdentityPublicKey.fromSpki(Base64.getMimeDecoder().decode(m.group(1).replaceAll("\\s", "")));
        } catch (IllegalArgumentException | InvalidPublicKeyException e) {
            throw bad("\"public_key\" is not a valid P-256 identity key");
        }
        if (o.get("fingerprint") instanceof JsonString fp && !fp.getString().equalsIgnoreCase(key.fingerprint())) {
            throw bad("the file's fingerprint does not match its key: the file was altered");
        }
        return key;
    }

    private static DeskException bad(String sentence) {
        return new DeskException(DeskException.Kind.BAD_REQUEST, sentence);
    }
}
