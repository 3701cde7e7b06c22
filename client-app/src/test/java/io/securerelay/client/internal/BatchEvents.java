package io.securerelay.client.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A strict parser of the batch output, written from docs/BATCH.md alone: every line must be one of
 * the events the document lists, with exactly its fields; the run ends with one final event and
 * nothing after it. An unknown event, a malformed field or a line after the final one is an error.
 */
final class BatchEvents {

    /** One parsed line: its event name and its fields by name. */
    record Event(String name, Map<String, String> fields, String line) {
        String get(String field) {
            return fields.get(field);
        }
    }

    private static final String HEX32 = "[0-9a-f]{32}";
    private static final String FP = "[0-9a-f]{4}(?: [0-9a-f]{4}){15}";
    private static final String N = "0|[1-9][0-9]*";
    private static final String CODE = "[a-z][a-z0-9-]*";
    /** The error codes after which a run goes on; every other error code ends the run (docs/BATCH.md). */
    static final Set<String> NON_FINAL_ERRORS = Set.of("signature", "altered-in-transit", "replay", "malformed-message",
            "unknown-envelope", "malformed-relay-frame", "handshake-failed", "too-long");
    /** The error codes of a refused message or frame, which carry from= and dropped=. */
    static final Set<String> REJECTIONS = Set.of("signature", "altered-in-transit", "replay", "malformed-message",
            "unknown-envelope", "malformed-relay-frame");
    static final Set<String> FINAL_ERRORS = Set.of("tls", "key-file", "storage", "relay-unreachable", "taken-over",
            "timeout", "peer-key-changed", "internal");

    private static final Map<String, Pattern> EVENTS = new LinkedHashMap<>();

    static {
        EVENTS.put("identity", Pattern.compile("identity (?<fingerprint>" + FP + ")"));
        EVENTS.put("session", Pattern.compile("session (?<session>" + HEX32 + ")"));
        EVENTS.put("connected", Pattern.compile("connected (?<relay>wss://\\S+)"));
        EVENTS.put("reconnecting", Pattern.compile("reconnecting (?<retryMillis>" + N + ") queued=(?<queued>" + N
                + ") closed-by=(?<closedBy>relay|client|network) (?<reason>\\S.*)"));
        EVENTS.put("peer-trusted-first-use", Pattern.compile("peer-trusted-first-use (?<fingerprint>" + FP + ")"));
        EVENTS.put("secure", Pattern.compile("secure (?<peer>" + HEX32 + ") (?<fingerprint>" + FP + ")"));
        EVENTS.put("safety-number", Pattern.compile("safety-number (?<safetyNumber>[0-9]{5}(?:-[0-9]{5}){11})"));
        EVENTS.put("queued", Pattern.compile("queued (?<number>[1-9][0-9]*)"));
        EVENTS.put("received", Pattern.compile("received (?<number>[1-9][0-9]*) (?<role>[a-z0-9][a-z0-9_-]*) "
                + "(?<sentAt>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\\.[0-9]{1,9})?Z) verified (?<text>.*)"));
        EVENTS.put("acked", Pattern.compile("acked (?<upTo>" + N + ")"));
        EVENTS.put("info", Pattern.compile("info (?<sentence>\\S.*)"));
        EVENTS.put("error", Pattern.compile("error (?<code>" + CODE + ") (?<rest>\\S.*)"));
        EVENTS.put("done", Pattern.compile("done sent=(?<sent>" + N + ") received=(?<received>" + N
                + ") rejected=(?<rejected>" + N + ")"));
    }

    private static final Pattern REJECTION = Pattern.compile(
            "from=(?<from>relay|peer:" + HEX32 + ") dropped=(?<dropped>[A-Za-z][A-Za-z-]*):(?<bytes>" + N + ") (?<sentence>\\S.*)");
    private static final Pattern NAMES = Pattern.compile("\\(\\?<([a-zA-Z]+)>");

    private BatchEvents() {
    }

    /**
     * @return the event of one line
     * @throws IllegalArgumentException if the line is no event of docs/BATCH.md
     */
    static Event parse(String line) {
        if (line.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw new IllegalArgumentException("control character in a line: " + line);
        }
        int space = line.indexOf(' ');
        String name = space < 0 ? line : line.substring(0, space);
        Pattern p = EVENTS.get(name);
        if (p == null) {
            throw new IllegalArgumentException("unknown event: " + line);
        }
        Matcher m = p.matcher(line);
        if (!m.matches()) {
            throw new IllegalArgumentException("malformed " + name + " event: " + line);
        }
        Map<String, String> fields = fields(p, m);
        if (name.equals("error")) {
            String code = fields.get("code");
            if (!NON_FINAL_ERRORS.contains(code) && !FINAL_ERRORS.contains(code)) {
                throw new IllegalArgumentException("unknown error code: " + line);
            }
            if (REJECTIONS.contains(code)) {
                Matcher r = REJECTION.matcher(fields.get("rest"));
                if (!r.matches()) {
                    throw new IllegalArgumentException("a rejection without from= and dropped=: " + line);
                }
                fields.putAll(fields(REJECTION, r));
            }
        }
        return new Event(name, fields, line);
    }

    /**
     * Parses a whole run: every line an event, the last one final ({@code done} or a final error), none
     * before it final.
     * @throws IllegalArgumentException otherwise
     */
    static List<Event> parseRun(String output) {
        List<Event> events = new ArrayList<>();
        String[] lines = output.split("\n", -1);
        if (lines.length < 2 || !lines[lines.length - 1].isEmpty()) {
            throw new IllegalArgumentException("the output does not end with a line break");
        }
        for (int i = 0; i < lines.length - 1; i++) {
            Event e = parse(lines[i]);
            if (!events.isEmpty() && isFinal(events.get(events.size() - 1))) {
                throw new IllegalArgumentException("a line after the final one: " + lines[i]);
            }
            events.add(e);
        }
        if (!isFinal(events.get(events.size() - 1))) {
            throw new IllegalArgumentException("the run has no final line; last: " + events.get(events.size() - 1).line());
        }
        return events;
    }

    static boolean isFinal(Event e) {
        return e.name().equals("done") || (e.name().equals("error") && FINAL_ERRORS.contains(e.get("code")));
    }

    /** Undoes the escapes of a {@code received} text (a doubled backslash, backslash-u and four hex digits). */
    static String unescape(String text) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length() && text.charAt(i + 1) == '\\') {
                sb.append('\\');
                i++;
            } else if (c == '\\' && i + 5 < text.length() && text.charAt(i + 1) == 'u') {
                sb.append((char) Integer.parseInt(text.substring(i + 2, i + 6), 16));
                i += 5;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static Map<String, String> fields(Pattern p, Matcher m) {
        Map<String, String> fields = new LinkedHashMap<>();
        Matcher names = NAMES.matcher(p.pattern());
        while (names.find()) {
            fields.put(names.group(1), m.group(names.group(1)));
        }
        return fields;
    }
}
