package io.securerelay.keystore;

import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.KeyFileException;
import io.securerelay.crypto.CryptoProviders;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.nio.file.Paths;

/**
 * CDI bean ({@code @ApplicationScoped}) giving identity keys and peer trust stores from one key
 * directory. The directory is the system property {@value #KEY_DIR_PROPERTY} (default
 * {@code ~/.secure-relay/keys}); the client's options class sets it before the container starts.
 * Also usable as plain Java through {@link #IdentityService(Path, CryptoProviders)}.
 */
@ApplicationScoped
public class IdentityService {
    /** System property naming the key directory. */
    public static final String KEY_DIR_PROPERTY = "securerelay.keyDir";

    private CryptoProviders providers;
    private Path directory;
    private ScryptParams scrypt = ScryptParams.DEFAULT;

    /** For the CDI container (proxies). */
    protected IdentityService() {
    }

    @Inject
    public IdentityService(CryptoProviders providers) {
        this.providers = providers;
    }

    /** Plain-Java use: an explicit directory. */
    public IdentityService(Path directory, CryptoProviders providers) {
        this.providers = providers;
        this.directory = directory;
    }

    @PostConstruct
    void init() {
        if (directory == null) {
            String configured = System.getProperty(KEY_DIR_PROPERTY);
            directory = configured != null ? Paths.get(configured)
                    : Paths.get(System.getProperty("user.home"), ".secure-relay", "keys");
        }
    }

    /** @return the key directory. */
    public Path directory() {
        if (directory == null) {
            init();
        }
        return directory;
    }

    /** Sets the scrypt cost used for newly generated password-protected keys. */
    public void setScryptParams(ScryptParams params) {
        this.scrypt = params;
    }

    /**
     * Loads or creates the identity of {@code role}; see {@link IdentityKeyFiles#loadOrCreate}.
     * @throws WrongPasswordException if the password is wrong
     * @throws KeyFileException if the key file is unreadable, corrupt, tampered with or not writable
     */
    public IdentityKeyPair loadOrCreateIdentity(String role, PasswordPrompt prompt) throws KeyFileException {
        return IdentityKeyFiles.loadOrCreate(directory(), role, prompt, scrypt, providers.secureRandom());
    }

    /**
     * Loads or creates the identity of {@code role} and its storage secret; see
     * {@link IdentityKeyFiles#loadOrCreateLocal}.
     * @throws KeyFileException if a file is unreadable, corrupt, tampered with or not writable
     */
    public LocalIdentity loadOrCreateLocalIdentity(String role, PasswordPrompt prompt) throws KeyFileException {
        return IdentityKeyFiles.loadOrCreateLocal(directory(), role, prompt, scrypt, providers.secureRandom());
    }

    /** @return the trust-on-first-use store for the peer role, in the key directory. */
    public FilePeerTrustStore peerTrust(String peerRole) {
        return new FilePeerTrustStore(directory(), peerRole);
    }
}
