package io.securerelay.client.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the client's application messages, the bodies inside opened TEXT and ACK messages (an
 * authenticated peer, buggy or hostile, chooses them).
 *
 * <p>Contract checked: for any body, {@link AppMessages#parseText} and {@link AppMessages#parseAck}
 * return a message or throw {@link AppMessages.BadBodyException}; anything else is a finding. A
 * parsed message encodes to exactly the body it came from, and parsing that gives an equal message.
 */
class AppMessagesFuzzTest {

    @FuzzTest
    void parse(byte[] body) {
        try {
            AppMessages.Text t = AppMessages.parseText(body);
            byte[] encoded = AppMessages.text(t.number(), t.sentAtMillis(), t.text());
            assertArrayEquals(body, encoded, "re-encoding a parsed text changed its bytes");
            assertEquals(t, AppMessages.parseText(encoded));
        } catch (AppMessages.BadBodyException expected) {
            // documented
        }
        try {
            AppMessages.Ack a = AppMessages.parseAck(body);
            byte[] encoded = AppMessages.ack(a.upTo(), a.gap());
            assertArrayEquals(body, encoded, "re-encoding a parsed acknowledgement changed its bytes");
            assertEquals(a, AppMessages.parseAck(encoded));
        } catch (AppMessages.BadBodyException expected) {
            // documented
        }
    }
}
