package io.securerelay.keystore;

import java.nio.file.Path;

/**
 * Asked for the identity key password at start. The returned array is wiped (zeroed) by the
 * caller of the prompt after use; return {@code null} or an empty array for "no password".
 */
@FunctionalInterface
public interface PasswordPrompt {
    /** Never asks; creates unencrypted key files and fails on encrypted ones. */
    PasswordPrompt NONE = (file, creating) -> null;

    /**
     * @param file     the key file concerned
     * @param creating true when a new key is about to be generated (the password will protect it)
     * @return the password, or null/empty for none
     */
    char[] passwordFor(Path file, boolean creating);

    /** @return a prompt that always answers a copy of {@code password} (tests, non-interactive use). */
    static PasswordPrompt fixed(char[] password) {
        char[] copy = password.clone();
        return (file, creating) -> copy.clone();
    }
}
