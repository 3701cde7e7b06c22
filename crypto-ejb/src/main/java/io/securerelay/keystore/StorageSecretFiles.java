package io.securerelay.keystore;

import io.securerelay.crypto.AesGcm;
import io.securerelay.crypto.AuthenticationFailedException;
import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.KeyFileException;
import io.securerelay.keystore.internal.JsonFiles;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.bouncycastle.crypto.PBEParametersGenerator;
import org.bouncycastle.crypto.generators.SCrypt;

/**
 * The storage secret file {@code <role>_storage_secret.json}, created once beside the identity key
 * file and never overwritten:
 * <pre>{ "version": 1, "role": "bank", "identity_fingerprint": "…", "identity_predates_it": false,
 *   "protection": "none", "secret": base64(32 bytes) }
 * { …, "protection": "scrypt-aes-256-gcm", "scrypt": { "n": 131072, "r": 8, "p": 1, "salt": base64(16) },
 *   "nonce": base64(12), "secret": base64(AES-256-GCM(scrypt(password), nonce, secret,
 *   aad = "secure-relay/storage-secret/v1|" role "|" identity_fingerprint)) }</pre>
 * Protected exactly when the identity key is (same password); bound to the identity by its
 * fingerprint. Refused like the key file: accessible by others, unknown version, corrupt, another
 * identity's, or (encrypted) not opening with the password.
 */
final class StorageSecretFiles {
    static final int VERSION = 1;
    private static final String NONE = "none";
    private static final String SCRYPT_GCM = "scrypt-aes-256-gcm";
    private static final String AAD_PREFIX = "secure-relay/storage-secret/v1|";

    private StorageSecretFiles() {
    }

    static String fileName(String role) {
        return Roles.check(role) + "_storage_secret.json";
    }

    /**
     * Creates the file with a fresh secret; if another process created it meanwhile, loads that one.
     * @param password null or empty: stored unprotected (as the identity key is)
     */
    static StorageSecret create(Path file, String role, IdentityKeyPair identity, boolean identityPredatesIt,
            char[] password, ScryptParams scrypt, SecureRandom random, PasswordPrompt prompt) throws KeyFileException {
        byte[] secret = new byte[StorageSecret.LENGTH];
        random.nextBytes(secret);
        byte[] bytes = null;
        try {
            String fp = identity.publicKey().fingerprint();
            JsonObjectBuilder o = Json.createObjectBuilder()
                    .add("version", VERSION)
                    .add("role", role)
                    .add("identity_fingerprint", fp)
                    .add("identity_predates_it", identityPredatesIt);
            if (password == null || password.length == 0) {
                o.add("protection", NONE).add("secret", b64(secret));
            } else {
                byte[] salt = new byte[16];
                byte[] nonce = new byte[AesGcm.NONCE_LEN];
                random.nextBytes(salt);
                random.nextBytes(nonce);
                byte[] key = scrypt(password, salt, scrypt.n(), scrypt.r(), scrypt.p());
                try {
                    o.add("protection", SCRYPT_GCM)
                            .add("scrypt", Json.createObjectBuilder().add("n", scrypt.n()).add("r", scrypt.r())
                                    .add("p", scrypt.p()).add("salt", b64(salt)))
                            .add("nonce", b64(nonce))
                            .add("secret", b64(AesGcm.create(key).seal(nonce, secret, aad(role, fp))));
                } finally {
                    Arrays.fill(key, (byte) 0);
                }
            }
            bytes = JsonFiles.toBytes(o.build());
            AtomicFiles.write(file, bytes, false);
            return StorageSecret.of(secret);
        } catch (FileAlreadyExistsException e) {
            return load(file, role, identity, prompt).storage(); // another process was quicker: its secret
        } catch (IOException e) {
            throw new KeyFileException(file, "cannot write storage secret file");
        } finally {
            Arrays.fill(secret, (byte) 0);
            if (bytes != null) {
                Arrays.fill(bytes, (byte) 0);
            }
        }
    }

    /** A loaded file: the secret and whether the identity predates it. */
    record Loaded(StorageSecret storage, boolean identityPredatesIt) {
    }

    static Loaded load(Path file, String role, IdentityKeyPair identity, PasswordPrompt prompt) throws KeyFileException {
        byte[] bytes = KeyFileChecks.readOwnerOnly(file, "storage secret file");
        JsonObject o;
        String protection;
        String fp;
        boolean predates;
        byte[] stored;
        try {
            o = JsonFiles.parseObject(bytes);
            KeyFileChecks.version(file, o, "storage secret file", VERSION);
            if (!role.equals(JsonFiles.requireString(o, "role"))) {
                throw new IOException("another role's");
            }
            fp = JsonFiles.requireString(o, "identity_fingerprint");
            predates = o.getBoolean("identity_predates_it");
            protection = JsonFiles.requireString(o, "protection");
            stored = Base64.getDecoder().decode(JsonFiles.requireString(o, "secret"));
        } catch (IOException | RuntimeException e) {
            throw new KeyFileException(file, "corrupt storage secret file (" + e.getMessage() + ")");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
        if (!fp.equals(identity.publicKey().fingerprint())) {
            throw new KeyFileException(file, "the storage secret file belongs to another identity key ("
                    + fp + "); it was left as it is (move it aside if the identity key was replaced on purpose:"
                    + " data sealed under it can then no longer be read)");
        }
        try {
            if (NONE.equals(protection)) {
                return new Loaded(secret(file, stored), predates);
            }
            if (!SCRYPT_GCM.equals(protection)) {
                throw new KeyFileException(file, "corrupt storage secret file (unknown protection)");
            }
            return new Loaded(decrypt(file, o, stored, role, fp, prompt), predates);
        } finally {
            Arrays.fill(stored, (byte) 0);
        }
    }

    private static StorageSecret decrypt(Path file, JsonObject o, byte[] sealed, String role, String fp,
            PasswordPrompt prompt) throws KeyFileException {
        int n;
        int r;
        int p;
        byte[] salt;
        byte[] nonce;
        try {
            JsonObject s = o.getJsonObject("scrypt");
            n = s.getInt("n");
            r = s.getInt("r");
            p = s.getInt("p");
            salt = Base64.getDecoder().decode(JsonFiles.requireString(s, "salt"));
            nonce = Base64.getDecoder().decode(JsonFiles.requireString(o, "nonce"));
            new ScryptParams(n, r, p); // a power of two, positive
            if (!KeyFileChecks.scryptCostAcceptable(n, r, p) || salt.length < 16 || nonce.length != AesGcm.NONCE_LEN) {
                throw new IOException("scrypt parameters out of range");
            }
        } catch (IOException | RuntimeException e) {
            throw new KeyFileException(file, "corrupt storage secret file (bad scrypt parameters)");
        }
        char[] password = prompt.passwordFor(file, false);
        byte[] key = null;
        try {
            if (password == null || password.length == 0) {
                throw new KeyFileException(file, "storage secret file is password-protected but no password was given");
            }
            key = scrypt(password, salt, n, r, p);
            byte[] secret = AesGcm.create(key).open(nonce, sealed, aad(role, fp));
            try {
                return secret(file, secret);
            } finally {
                Arrays.fill(secret, (byte) 0);
            }
        } catch (AuthenticationFailedException e) {
            throw new KeyFileException(file, "the storage secret file does not open with the identity key's password"
                    + " (tampered with, or written under another password); it was left as it is");
        } finally {
            if (password != null) {
                Arrays.fill(password, '\0');
            }
            if (key != null) {
                Arrays.fill(key, (byte) 0);
            }
        }
    }

    private static StorageSecret secret(Path file, byte[] secret) throws KeyFileException {
        if (secret.length != StorageSecret.LENGTH) {
            throw new KeyFileException(file, "corrupt storage secret file (the secret is not " + StorageSecret.LENGTH
                    + " bytes)");
        }
        return StorageSecret.of(secret);
    }

    private static byte[] scrypt(char[] password, byte[] salt, int n, int r, int p) {
        byte[] pw = PBEParametersGenerator.PKCS5PasswordToUTF8Bytes(password);
        try {
            return SCrypt.generate(pw, salt, n, r, p, AesGcm.KEY_LEN);
        } finally {
            Arrays.fill(pw, (byte) 0);
        }
    }

    private static byte[] aad(String role, String fingerprint) {
        return (AAD_PREFIX + role + "|" + fingerprint).getBytes(StandardCharsets.UTF_8);
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }
}
