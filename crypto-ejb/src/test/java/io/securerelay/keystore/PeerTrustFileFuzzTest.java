package io.securerelay.keystore;

import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.IdentityPublicKey;
import io.securerelay.identity.KeyFileException;
import io.securerelay.identity.UntrustedIdentityException;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.securerelay.fuzz.FuzzFiles;
import io.securerelay.fuzz.Mutations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Fuzzes the trust-on-first-use file {@code <peer-role>_public_identity_key.json} as
 * {@link FilePeerTrustStore} reads it. The bytes written to the file are raw, or a valid file
 * (trusting a fixed key) edited by the fuzzer.
 *
 * <p>Contract checked: {@link FilePeerTrustStore#stored()} returns a key or throws
 * {@link KeyFileException} naming the file. Then {@link FilePeerTrustStore#trust} of another key
 * than the stored one never replaces it: with a corrupt file it throws {@link KeyFileException},
 * with a stored key {@link UntrustedIdentityException}; trusting the stored key itself is "not new".
 * Through all of it the file keeps exactly the bytes written and nothing is written beside it.
 * Any other throwable (an unchecked exception, an error, a hang) is a finding.
 */
class PeerTrustFileFuzzTest {
    private static final String PEER = "customer";
    private static final IdentityPublicKey TRUSTED = IdentityKeyPair.generate(FuzzFiles.seededRandom(1)).publicKey();
    private static final IdentityPublicKey OTHER = IdentityKeyPair.generate(FuzzFiles.seededRandom(2)).publicKey();
    private static final Path DIR;
    private static final byte[] VALID;

    static {
        try {
            DIR = FuzzFiles.newDirectory("trustfile-fuzz");
            FilePeerTrustStore store = new FilePeerTrustStore(DIR, PEER);
            store.trust(TRUSTED);
            VALID = Files.readAllBytes(store.file());
            Files.delete(store.file());
        } catch (IOException | KeyFileException | UntrustedIdentityException e) {
            throw new AssertionError(e);
        }
    }

    @FuzzTest
    void stored(FuzzedDataProvider data) throws IOException {
        byte[] content = Mutations.of(data, VALID);
        FilePeerTrustStore store = new FilePeerTrustStore(DIR, PEER);
        Path file = store.file();
        Files.write(file, content);
        try {
            Optional<IdentityPublicKey> stored;
            try {
                stored = store.stored();
            } catch (KeyFileException e) {
                assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
                try {
                    store.trust(OTHER);
                    throw new AssertionError("a key was trusted over a corrupt trust file");
                } catch (KeyFileException expected) {
                    return;
                } catch (UntrustedIdentityException e2) {
                    throw new AssertionError("stored() found the file corrupt, trust() read a key from it", e2);
                }
            }
            assertTrue(stored.isPresent(), "an existing trust file read as empty");
            IdentityPublicKey key = stored.get();
            IdentityPublicKey other = key.equals(OTHER) ? TRUSTED : OTHER;
            try {
                assertFalse(store.trust(key).newlyTrusted(), "the stored key was trusted as new");
                store.trust(other);
                throw new AssertionError("another key than the stored one was trusted");
            } catch (UntrustedIdentityException expected) {
                // documented: the stored key differs
            } catch (KeyFileException e) {
                throw new AssertionError("stored() read the file, trust() found it corrupt", e);
            }
        } finally {
            FuzzFiles.assertLeftAsWrittenThenDelete(file, content);
        }
    }
}
