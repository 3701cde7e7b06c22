package io.securerelay.crypto;

import jakarta.enterprise.context.ApplicationScoped;
import java.security.Provider;
import java.security.SecureRandom;
import java.security.Security;
import java.time.Clock;
import org.bouncycastle.jce.provider.BouncyCastleProvider;

/**
 * Which provider does what, in one place: EC operations (key generation, ECDSA, ECDH) from
 * BouncyCastle asked for by name {@value #BC}; AES-GCM and HMAC from the JDK (SunJCE, AES-NI).
 * The split follows the measured speed table in docs/ARCHITECTURE.md, "Crypto providers".
 * <p>Usable as plain Java ({@link #installBouncyCastle()}) and as an {@code @ApplicationScoped}
 * CDI bean that also hands out the process's {@link SecureRandom} and {@link Clock}.
 */
@ApplicationScoped
public class CryptoProviders {
    /** Name under which the BouncyCastle provider is asked for. */
    public static final String BC = BouncyCastleProvider.PROVIDER_NAME;

    private final SecureRandom random = new SecureRandom();

    /** Registers BouncyCastle (at the lowest priority, so JDK defaults stay JDK) if it is missing. */
    public static synchronized Provider installBouncyCastle() {
        Provider p = Security.getProvider(BC);
        if (p == null) {
            p = new BouncyCastleProvider();
            Security.addProvider(p);
        }
        return p;
    }

    /** @return the registered BouncyCastle provider (installing it if needed). */
    public Provider bouncyCastle() {
        return installBouncyCastle();
    }

    /** @return a process-wide {@link SecureRandom} (thread-safe). */
    public SecureRandom secureRandom() {
        return random;
    }

    /** @return the system UTC clock; tests pass their own {@link Clock} to the protocol classes instead. */
    public Clock clock() {
        return Clock.systemUTC();
    }
}
