package io.securerelay.client.internal;

import io.securerelay.protocol.relay.SessionId;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * What the user sees. Interactive mode writes sentences for a person; batch mode writes one event
 * a line, {@code <event> <fields…>}, for programs (the demo and the tests), as docs/BATCH.md
 * specifies. The last line of a run is its final one ({@link #done}, or a final {@code error}
 * followed by {@link #close}): nothing is printed after it. Never prints keys; prints plaintext
 * only as the received message itself.
 */
public final class UserIo implements ConversationEvents {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private final PrintStream out;
    private final boolean batch;
    private final String peerRole;
    private boolean closed;

    public UserIo(PrintStream out, boolean batch, String peerRole) {
        this.out = out;
        this.batch = batch;
        this.peerRole = peerRole;
    }

    public boolean batch() {
        return batch;
    }

    /** Prints one line unless the run's final line was printed (later events are dropped). */
    private void emit(String line) {
        if (!closed) {
            out.println(controlsEscaped(line));
        }
    }

    /**
     * One event stays one line whatever a peer sends: control characters (line breaks, escape
     * sequences) become a backslash, {@code u} and four hex digits.
     */
    static String controlsEscaped(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean control = c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || (c >= 0x80 && c < 0xa0);
            if (control && sb == null) {
                sb = new StringBuilder(s.length() + 16).append(s, 0, i);
            }
            if (control) {
                sb.append(String.format("\\u%04x", (int) c));
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb == null ? s : sb.toString();
    }

    /** Nothing is printed from now on: the last line so far was the run's final one. Idempotent. */
    public synchronized void close() {
        closed = true;
    }

    public synchronized void identity(String role, String fingerprint) {
        emit(batch ? "identity " + fingerprint : "Your identity (" + role + ") fingerprint: " + fingerprint);
    }

    public synchronized void sessionId(SessionId id, boolean peerKnown) {
        if (batch) {
            emit("session " + id.toHex());
        } else {
            emit("Your session ID: " + id.toHex());
            if (!peerKnown) {
                emit("Give it to the " + peerRole + " (who starts with --peer " + id.toHex() + "),");
                emit("or type the " + peerRole + "'s session ID here to call them.");
            }
        }
    }

    public synchronized void connected(String relay) {
        emit(batch ? "connected " + relay : "Connected to the relay " + relay + ".");
    }

    public synchronized void reconnecting(RelayLink.ClosedBy closedBy, String why, long retryMillis, int queued) {
        emit(batch
                ? "reconnecting " + retryMillis + " queued=" + queued + " closed-by=" + closedBy.word() + " " + why
                : (closedBy == RelayLink.ClosedBy.CLIENT ? "This client ended the relay connection ("
                        : closedBy == RelayLink.ClosedBy.RELAY ? "The relay ended the connection ("
                        : "Relay connection lost (") + why + "); reconnecting in " + (retryMillis / 1000.0) + " s. "
                        + queued + " message(s) queued.");
    }

    public synchronized void trustedFirstUse(String fingerprint) {
        emit(batch
                ? "peer-trusted-first-use " + fingerprint
                : "First contact: trusting the " + peerRole + "'s identity key, fingerprint " + fingerprint
                        + ". Compare it with the " + peerRole + " by phone or in person (/safety shows the safety number).");
    }

    public synchronized void secure(SessionId peer, String fingerprint, String safetyNumber, boolean firstThisRun) {
        if (batch) {
            emit("secure " + peer.toHex() + " " + fingerprint);
            if (firstThisRun) {
                emit("safety-number " + safetyNumber.replace(' ', '-'));
            }
        } else {
            emit("Secure session with the " + peerRole + " (fingerprint " + fingerprint + ").");
            if (firstThisRun) {
                emit("Safety number: " + safetyNumber);
            }
        }
    }

    public synchronized void received(long number, long sentAtMillis, String text) {
        if (batch) {
            // A backslash is doubled so that the backslash-u escapes of emit() can be undone exactly.
            emit("received " + number + " " + peerRole + " " + Instant.ofEpochMilli(sentAtMillis) + " verified "
                    + text.replace("\\", "\\\\"));
        } else {
            emit("[" + TIME.format(Instant.ofEpochMilli(sentAtMillis)) + "] " + peerRole + " \u2714 " + text);
        }
    }

    public synchronized void queued(long number, boolean willSendNow) {
        if (batch) {
            emit("queued " + number);
        } else if (!willSendNow) {
            emit("(queued #" + number + ": it will be sent when the " + peerRole + " is connected)");
        }
    }

    public synchronized void acked(long upTo) {
        if (batch) {
            emit("acked " + upTo);
        }
    }

    public synchronized void status(String state, int queued, long delivered, String rejected) {
        emit(batch
                ? "status " + state + " queued=" + queued + " delivered=" + delivered
                : "Status: " + state + "; " + queued + " message(s) waiting for acknowledgement; "
                        + delivered + " received; refused: " + rejected + ".");
    }

    public synchronized void info(String sentence) {
        emit(batch ? "info " + sentence : sentence);
    }

    /**
     * A message or frame this client refused (and dropped): batch {@code error <code> from=<who>
     * dropped=<what>:<bytes> <sentence>}; interactive, the sentence.
     * @param from    {@code peer:<session ID>} (the sender the relay named) or {@code relay}
     * @param dropped what it claimed to be, e.g. {@code sealed-message}, {@code INIT}, {@code payload}, {@code relay-frame}
     */
    public synchronized void rejected(Rejections.Kind kind, String from, String dropped, int bytes, String sentence) {
        emit(batch ? "error " + kind.code() + " from=" + from + " dropped=" + dropped + ":" + bytes + " " + sentence
                : "!! " + sentence);
    }

    /** A problem the user must know about, in words they understand. */
    public synchronized void problem(String code, String sentence) {
        emit(batch ? "error " + code + " " + sentence : "!! " + sentence);
    }

    /** The final line of a successful batch run; nothing follows it. */
    public synchronized void done(long sent, long received, long rejected) {
        emit(batch ? "done sent=" + sent + " received=" + received + " rejected=" + rejected : "Bye.");
        closed = true;
    }
}
