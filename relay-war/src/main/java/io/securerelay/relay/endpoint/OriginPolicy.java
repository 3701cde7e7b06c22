package io.securerelay.relay.endpoint;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which WebSocket handshakes may proceed, by their {@code Origin} header. Browsers always send
 * one, naming the page that opens the connection; other clients need not. So: no header, a
 * non-browser client: accepted; a header: accepted only if it is in the allowlist
 * ({@link RelayConfig#ALLOWED_ORIGINS}), compared case-insensitively, exactly otherwise
 * (scheme, host and port; no wildcards). Immutable.
 */
final class OriginPolicy {

    private final Set<String> allowed;

    private OriginPolicy(Set<String> allowed) {
        this.allowed = allowed;
    }

    /** Parses a comma-separated allowlist; blanks are ignored, so "" allows no browser. */
    static OriginPolicy parse(String commaSeparated) {
        return new OriginPolicy(Arrays.stream(commaSeparated == null ? new String[0] : commaSeparated.split(","))
                .map(String::trim)
                .filter(s -> !s.isEmpty())
                .map(OriginPolicy::normalize)
                .collect(Collectors.toUnmodifiableSet()));
    }

    /** @param origin the {@code Origin} header, or {@code null} when there is none */
    boolean accepts(String origin) {
        return origin == null || allowed.contains(normalize(origin.trim()));
    }

    private static String normalize(String origin) {
        String o = origin.toLowerCase(Locale.ROOT);
        return o.endsWith("/") ? o.substring(0, o.length() - 1) : o;
    }

    @Override
    public String toString() {
        return allowed.isEmpty() ? "no browser origin" : String.join(",", allowed);
    }
}
