package io.securerelay.client.internal;

import io.securerelay.protocol.relay.SessionId;
import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;

/**
 * What the user sees. Interactive mode writes sentences for a person; batch mode writes one event
 * a line, {@code <event> <fields…>}, for programs (the demo and the tests), as documented in
 * README.md. Never prints keys; prints plaintext only as the received message itself.
 */
public final class UserIo {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneId.systemDefault());

    private final PrintStream out;
    private final boolean batch;
    private final String peerRole;

    public UserIo(PrintStream out, boolean batch, String peerRole) {
        this.out = out;
        this.batch = batch;
        this.peerRole = peerRole;
    }

    public boolean batch() {
        return batch;
    }

    public synchronized void sessionId(SessionId id, boolean peerKnown) {
        if (batch) {
            out.println("session " + id.toHex());
        } else {
            out.println("Your session ID: " + id.toHex());
            if (!peerKnown) {
                out.println("Give it to the " + peerRole + " (who starts with --peer " + id.toHex() + "),");
                out.println("or type the " + peerRole + "'s session ID here to call them.");
            }
        }
    }

    public synchronized void connected(String relay) {
        out.println(batch ? "connected " + relay : "Connected to the relay " + relay + ".");
    }

    public synchronized void reconnecting(String why, long retryMillis, int queued) {
        out.println(batch
                ? "reconnecting " + retryMillis + " queued=" + queued + " " + why
                : "Relay connection lost (" + why + "); reconnecting in " + (retryMillis / 1000.0) + " s. "
                        + queued + " message(s) queued.");
    }

    public synchronized void trustedFirstUse(String fingerprint) {
        out.println(batch
                ? "peer-trusted-first-use " + fingerprint
                : "First contact: trusting the " + peerRole + "'s identity key, fingerprint " + fingerprint
                        + ". Compare it with the " + peerRole + " by phone or in person (/safety shows the safety number).");
    }

    public synchronized void secure(SessionId peer, String fingerprint, String safetyNumber, boolean firstThisRun) {
        if (batch) {
            out.println("secure " + peer.toHex() + " " + fingerprint);
            if (firstThisRun) {
                out.println("safety-number " + safetyNumber.replace(' ', '-'));
            }
        } else {
            out.println("Secure session with the " + peerRole + " (fingerprint " + fingerprint + ").");
            if (firstThisRun) {
                out.println("Safety number: " + safetyNumber);
            }
        }
    }

    public synchronized void received(long number, long sentAtMillis, String text) {
        if (batch) {
            out.println("received " + number + " " + peerRole + " " + Instant.ofEpochMilli(sentAtMillis) + " verified " + text);
        } else {
            out.println("[" + TIME.format(Instant.ofEpochMilli(sentAtMillis)) + "] " + peerRole + " \u2714 " + text);
        }
    }

    public synchronized void queued(long number, boolean willSendNow) {
        if (batch) {
            out.println("queued " + number);
        } else if (!willSendNow) {
            out.println("(queued #" + number + ": it will be sent when the " + peerRole + " is connected)");
        }
    }

    public synchronized void acked(long upTo) {
        if (batch) {
            out.println("acked " + upTo);
        }
    }

    public synchronized void status(String state, int queued, long delivered) {
        out.println(batch
                ? "status " + state + " queued=" + queued + " delivered=" + delivered
                : "Status: " + state + "; " + queued + " message(s) waiting for acknowledgement; "
                        + delivered + " received.");
    }

    public synchronized void info(String sentence) {
        out.println(batch ? "info " + sentence : sentence);
    }

    /** A problem the user must know about, in words they understand. */
    public synchronized void problem(String code, String sentence) {
        out.println(batch ? "error " + code + " " + sentence : "!! " + sentence);
    }

    public synchronized void done(long sent, long received) {
        out.println(batch ? "done sent=" + sent + " received=" + received : "Bye.");
    }
}
