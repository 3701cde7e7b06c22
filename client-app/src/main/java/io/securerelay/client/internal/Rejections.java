package io.securerelay.client.internal;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The client's count of what it refused, per kind: each refusal is also one {@code error} event
 * (batch) or one line (interactive). Shown by {@code /status} and in the batch {@code done} line.
 * Thread-safe.
 */
public final class Rejections {

    /** What was refused; {@link #code()} is the batch event's code. */
    public enum Kind {
        /** A handshake message or sealed message whose signature (or a handshake MAC) did not verify. */
        SIGNATURE("signature"),
        /** A sealed message whose AES-GCM tag did not check: altered in transit, opened without any signature check. */
        ALTERED_IN_TRANSIT("altered-in-transit"),
        /** A sealed message that arrived twice or too late. */
        REPLAY("replay"),
        /** A sealed message that is truncated, too long, of another version, or badly laid out inside. */
        MALFORMED_MESSAGE("malformed-message"),
        /** A payload that is no message of the end-to-end protocol (unknown version or type, too short). */
        UNKNOWN_ENVELOPE("unknown-envelope"),
        /** A relay frame this client cannot parse (or a REGISTERED with another session ID). */
        MALFORMED_RELAY_FRAME("malformed-relay-frame");

        private final String code;

        Kind(String code) {
            this.code = code;
        }

        public String code() {
            return code;
        }
    }

    private final AtomicLongArray counts = new AtomicLongArray(Kind.values().length);

    public void add(Kind kind) {
        counts.incrementAndGet(kind.ordinal());
    }

    /** @return how many of {@code kind} were refused so far. */
    public long count(Kind kind) {
        return counts.get(kind.ordinal());
    }

    /** @return the total refused so far. */
    public long total() {
        long n = 0;
        for (int i = 0; i < counts.length(); i++) {
            n += counts.get(i);
        }
        return n;
    }

    /** @return the non-zero counts by kind, in declaration order. */
    public Map<Kind, Long> snapshot() {
        Map<Kind, Long> m = new EnumMap<>(Kind.class);
        for (Kind k : Kind.values()) {
            if (count(k) > 0) {
                m.put(k, count(k));
            }
        }
        return m;
    }

    /** @return e.g. {@code "signature 1, malformed-message 2"}, or {@code "none"}. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        snapshot().forEach((k, n) -> sb.append(sb.length() == 0 ? "" : ", ").append(k.code()).append(' ').append(n));
        return sb.length() == 0 ? "none" : sb.toString();
    }
}
