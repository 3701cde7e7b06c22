package io.securerelay.client;

/** The client's exit codes, documented in README.md. */
public final class ExitCodes {

    /** Finished normally (the user quit, or a batch run did all it was asked). */
    public static final int OK = 0;
    /** An unexpected error: a bug; the message says where. */
    public static final int INTERNAL = 1;
    /** The command line was wrong (picocli's usage error). */
    public static final int USAGE = 2;
    /** TLS: the CA file or pinned certificate is missing, or the relay's certificate does not match. */
    public static final int TLS = 3;
    /** The relay could not be reached in the time allowed (batch mode only; interactive keeps trying). */
    public static final int RELAY_UNREACHABLE = 4;
    /** The peer presented an identity key other than the one trusted before. */
    public static final int PEER_KEY_CHANGED = 5;
    // 6 is not used: a handshake that fails verification is reported and retried, not fatal
    // (a stale answer after a reconnect fails the same way as a forged one).
    /** Our own key file is unreadable, corrupt, tampered with, or the password is wrong. */
    public static final int KEY_FILE = 7;
    /** A batch run did not finish (peer never came, messages not acknowledged) before its deadline. */
    public static final int TIMEOUT = 8;
    /** The desk: its database cannot be opened (unreachable, wrong password, corrupt, or not the desk's). */
    public static final int DATABASE = 9;
    /** The desk: its web listener cannot start (port taken, keystore unreadable, address not allowed). */
    public static final int LISTENER = 10;

    private ExitCodes() {
    }
}
