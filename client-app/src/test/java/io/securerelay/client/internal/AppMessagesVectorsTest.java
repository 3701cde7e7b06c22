package io.securerelay.client.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The client's application bodies (part 3 of docs/PROTOCOL.md) are exactly those of the protocol
 * test vectors (docs/vectors/secure-relay-v1.json): TEXT and ACK, both ways.
 */
class AppMessagesVectorsTest {

    @Test
    void textAndAckBodiesAreThoseOfTheVectors() throws Exception {
        JsonObject vectors;
        try (Reader r = Files.newBufferedReader(Path.of("..", "docs", "vectors", "secure-relay-v1.json"));
                JsonReader json = Json.createReader(r)) {
            vectors = json.readObject();
        }
        int texts = 0;
        int acks = 0;
        for (JsonValue c : vectors.getJsonArray("conversations")) {
            for (JsonValue v : c.asJsonObject().getJsonArray("messages")) {
                JsonObject m = v.asJsonObject();
                JsonObject app = m.getJsonObject("app");
                byte[] body = HexFormat.of().parseHex(m.getString("body"));
                switch (m.getString("kind")) {
                    case "TEXT" -> {
                        long number = app.getJsonNumber("number").longValue();
                        long sentAt = app.getJsonNumber("sent_at_millis").longValue();
                        assertArrayEquals(body, AppMessages.text(number, sentAt, app.getString("text")));
                        assertEquals(new AppMessages.Text(number, sentAt, app.getString("text")), AppMessages.parseText(body));
                        texts++;
                    }
                    case "ACK" -> {
                        long upTo = app.getJsonNumber("up_to").longValue();
                        assertArrayEquals(body, AppMessages.ack(upTo, app.getBoolean("gap")));
                        assertEquals(new AppMessages.Ack(upTo, app.getBoolean("gap")), AppMessages.parseAck(body));
                        acks++;
                    }
                    default -> {
                        // DUMMY: random bytes, discarded
                    }
                }
            }
        }
        assertEquals(8, texts);
        assertEquals(7, acks);
    }
}
