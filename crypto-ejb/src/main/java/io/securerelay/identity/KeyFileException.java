package io.securerelay.identity;

import io.securerelay.crypto.SecureRelayException;
import java.nio.file.Path;

/**
 * A key file is unreadable, corrupt, tampered with (public key does not match the private key)
 * or cannot be written. The message names the file and never contains key material or passwords.
 * A file that caused this exception is never regenerated or overwritten.
 */
public class KeyFileException extends SecureRelayException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    public KeyFileException(Path file, String problem) {
        super(problem + ": " + file);
        this.file = file;
    }

    public KeyFileException(Path file, String problem, Throwable cause) {
        super(problem + ": " + file, cause);
        this.file = file;
    }

    protected KeyFileException(String fullMessage, Path file) {
        super(fullMessage);
        this.file = file;
    }

    /** @return the file concerned. */
    public Path file() {
        return file;
    }
}
