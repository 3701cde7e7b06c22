package io.securerelay.keystore;

import io.securerelay.identity.IdentityPublicKey;
import io.securerelay.identity.KeyFileException;
import io.securerelay.identity.PeerTrustStore;
import io.securerelay.identity.TrustResult;
import io.securerelay.identity.UntrustedIdentityException;
import io.securerelay.crypto.InvalidPublicKeyException;
import io.securerelay.keystore.AtomicFiles;
import io.securerelay.keystore.internal.JsonFiles;
import io.securerelay.keystore.internal.Pem;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Optional;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * Trust on first use in the file {@code <peer-role>_public_identity_key.json}:
 * <pre>{ "role": "customer", "public_key": "-----BEGIN PUBLIC KEY-----…", "fingerprint": "…" }</pre>
 * The fingerprint is informational but, when present, must match the key (else the file counts as
 * tampered with). A corrupt file is never overwritten by {@link #trust}; only {@link #retrust} replaces.
 * Thread-safe within one process.
 */
public final class FilePeerTrustStore implements PeerTrustStore {
    private final Path file;
    private final String peerRole;

    /** @param dir the key directory; @param peerRole the role of the peer whose key is stored */
    public FilePeerTrustStore(Path dir, String peerRole) {
        this.peerRole = Roles.check(peerRole);
        this.file = dir.resolve(fileName(peerRole));
    }

    /** @return {@code <peer-role>_public_identity_key.json} */
    public static String fileName(String peerRole) {
        return Roles.check(peerRole) + "_public_identity_key.json";
    }

    /** @return the file this store uses. */
    public Path file() {
        return file;
    }

    @Override
    public String peerRole() {
        return peerRole;
    }

    @Override
    public synchronized Optional<IdentityPublicKey> stored() throws KeyFileException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return Optional.empty();
        }
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new KeyFileException(file, "cannot read peer identity key file");
        }
        try {
            JsonObject o = JsonFiles.parseObject(bytes);
            PemObject pem = Pem.decode(JsonFiles.requireString(o, "public_key"));
            if (!"PUBLIC KEY".equals(pem.getType())) {
                throw new IOException("not a PUBLIC KEY");
            }
            IdentityPublicKey key = IdentityPublicKey.fromSpki(pem.getContent());
            if (o.get("fingerprint") instanceof JsonString
                    && !o.getString("fingerprint").equals(key.fingerprint())) {
                throw new KeyFileException(file, "peer identity key file tampered with: fingerprint does not match public_key");
            }
            return Optional.of(key);
        } catch (IOException | InvalidPublicKeyException e) {
            throw new KeyFileException(file, "corrupt peer identity key file");
        }
    }

    @Override
    public synchronized TrustResult trust(IdentityPublicKey presented) throws UntrustedIdentityException, KeyFileException {
        if (check(presented)) {
            return new TrustResult(false, presented.fingerprint(), presented);
        }
        store(presented, false);
        return new TrustResult(true, presented.fingerprint(), presented);
    }

    @Override
    public synchronized TrustResult retrust(IdentityPublicKey newKey) throws KeyFileException {
        store(newKey, true);
        return new TrustResult(true, newKey.fingerprint(), newKey);
    }

    private void store(IdentityPublicKey key, boolean replace) throws KeyFileException {
        JsonObject o = Json.createObjectBuilder()
                .add("role", peerRole)
                .add("public_key", Pem.encode("PUBLIC KEY", key.spki()))
                .add("fingerprint", key.fingerprint())
                .build();
        try {
            AtomicFiles.write(file, JsonFiles.toBytes(o), replace);
        } catch (FileAlreadyExistsException e) {
            throw new KeyFileException(file, "peer identity key file appeared concurrently, not overwriting");
        } catch (IOException e) {
            throw new KeyFileException(file, "cannot write peer identity key file");
        }
    }
}
