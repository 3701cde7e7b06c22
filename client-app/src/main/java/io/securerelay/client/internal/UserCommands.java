package io.securerelay.client.internal;

import io.securerelay.client.ExitCodes;
import io.securerelay.identity.KeyFileException;
import io.securerelay.identity.UntrustedIdentityException;
import io.securerelay.protocol.relay.SessionId;
import java.util.Optional;

/**
 * The console on top of a {@link Conversation}: each line typed (or of the script) is a text to
 * send; in interactive mode a line starting with {@code /} is a command ({@code /status},
 * {@code /safety}, {@code /retrust}, {@code /help}, {@code /quit}), and while no peer is known a
 * line is the session ID to call. Thread-safe: every line is handled on the conversation's loop.
 */
public final class UserCommands {

    private final Conversation conversation;
    private final UserIo io;

    public UserCommands(Conversation conversation, UserIo io) {
        this.conversation = conversation;
        this.io = io;
    }

    /** A line the user typed (or a line of the script): a message, or a command in interactive mode. */
    public void userLine(String line) {
        conversation.onLoop(() -> onLine(line));
    }

    /** The input is exhausted (batch: the script or stdin ended; interactive: Ctrl-D quits). */
    public void inputEnded() {
        conversation.inputEnded();
    }

    private void onLine(String line) throws Exception {
        String peerRole = conversation.peerRole();
        if (!io.batch() && line.startsWith("/")) {
            command(line.trim(), peerRole);
            return;
        }
        if (!io.batch() && !conversation.hasPeer()) {
            try {
                SessionId peer = SessionId.parse(line);
                io.info("Calling the " + peerRole + " at " + peer.toHex() + " ...");
                conversation.call(peer);
            } catch (IllegalArgumentException notAnId) {
                io.info("No " + peerRole + " yet: type their session ID first (" + notAnId.getMessage() + ").");
            }
            return;
        }
        if (line.isEmpty()) {
            return;
        }
        conversation.send(line);
    }

    private void command(String cmd, String peerRole) {
        switch (cmd) {
            case "/quit", "/exit" -> conversation.stop(ExitCodes.OK, null, null);
            case "/status" -> io.status(describe(conversation.state(), peerRole), conversation.outbox().pending().size(),
                    conversation.outbox().lastIn(), conversation.rejections().summary());
            case "/safety" -> {
                Optional<String> safety = conversation.safetyNumber();
                if (safety.isPresent()) {
                    io.info("Safety number with the " + peerRole + ": " + safety.get()
                            + " (the same on both screens means no one is in between)");
                } else {
                    io.info("No secure session yet.");
                }
            }
            case "/retrust" -> {
                Optional<UntrustedIdentityException> refused = conversation.refusedKey();
                if (refused.isEmpty() || refused.get().presentedKey() == null) {
                    io.info("Nothing to re-trust: no changed key was refused.");
                } else {
                    try {
                        conversation.retrust();
                    } catch (KeyFileException e) {
                        io.problem("key-file", e.getMessage());
                        return;
                    }
                    io.info("Now trusting the " + peerRole + "'s new key " + refused.get().presentedFingerprint() + ".");
                }
            }
            case "/help" -> io.info("Type a message and press Enter to send it. Commands: /status, /safety, /retrust, /quit.");
            default -> io.info("Unknown command " + cmd + " (/help lists them).");
        }
    }

    private static String describe(Conversation.State state, String peerRole) {
        return switch (state) {
            case CONNECTING -> "connecting to the relay";
            case RECONNECTING -> "reconnecting";
            case WAITING_FOR_PEER -> "connected, waiting for the " + peerRole;
            case HANDSHAKING -> "connected, handshake with the " + peerRole;
            case SECURE -> "connected, secure session with the " + peerRole;
            case STOPPED -> "stopped";
        };
    }
}
