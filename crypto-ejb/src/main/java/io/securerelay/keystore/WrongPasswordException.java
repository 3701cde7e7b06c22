package io.securerelay.keystore;

import io.securerelay.identity.KeyFileException;
import java.nio.file.Path;

/** The password given for an encrypted identity key file is wrong: "wrong password for &lt;file&gt;". */
public final class WrongPasswordException extends KeyFileException {
    private static final long serialVersionUID = 1L;

    public WrongPasswordException(Path file) {
        super("wrong password for " + file, file);
    }
}
