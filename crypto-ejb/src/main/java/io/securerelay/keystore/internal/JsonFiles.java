package io.securerelay.keystore.internal;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.JsonWriter;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Strict JSON-P reading and writing of the small key-file objects. */
public final class JsonFiles {
    private JsonFiles() {
    }

    /**
     * @return the JSON object in {@code bytes} (strict UTF-8, one object)
     * @throws IOException if it is not that
     */
    public static JsonObject parseObject(byte[] bytes) throws IOException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("not UTF-8");
        }
        try (JsonReader r = Json.createReader(new StringReader(text))) {
            return r.readObject();
        } catch (JsonException | IllegalStateException e) {
            throw new IOException("not a JSON object");
        }
    }

    /**
     * @return the string member {@code name}
     * @throws IOException if it is missing or not a string
     */
    public static String requireString(JsonObject o, String name) throws IOException {
        JsonValue v = o.get(name);
        if (!(v instanceof JsonString)) {
            throw new IOException("missing or non-string \"" + name + "\"");
        }
        return ((JsonString) v).getString();
    }

    /** @return the UTF-8 bytes of {@code o} followed by a newline. */
    public static byte[] toBytes(JsonObject o) {
        StringWriter sw = new StringWriter();
        try (JsonWriter w = Json.createWriter(sw)) {
            w.writeObject(o);
        }
        sw.write('\n');
        return sw.toString().getBytes(StandardCharsets.UTF_8);
    }
}
