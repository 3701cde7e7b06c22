package io.securerelay.keystore;

import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.IdentityPublicKey;
import io.securerelay.identity.KeyFileException;
import io.securerelay.crypto.CryptoProviders;
import io.securerelay.crypto.InvalidPublicKeyException;
import io.securerelay.keystore.AtomicFiles;
import io.securerelay.keystore.internal.JsonFiles;
import io.securerelay.keystore.internal.Pem;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.misc.MiscObjectIdentifiers;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PBES2Parameters;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.OutputEncryptor;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfoBuilder;
import org.bouncycastle.pkcs.jcajce.JcePKCSPBEInputDecryptorProviderBuilder;
import org.bouncycastle.pkcs.jcajce.JcePKCSPBEOutputEncryptorBuilder;
import org.bouncycastle.crypto.util.ScryptConfig;
import org.bouncycastle.util.io.pem.PemObject;

/**
 * The identity key file {@code <role>_identity_keys.json}:
 * <pre>{ "version": 1, "role": "bank", "fingerprint": "…",
 *   "public_key": "-----BEGIN PUBLIC KEY-----…",            (SPKI)
 *   "private_key": "-----BEGIN PRIVATE KEY-----…" }         (PKCS#8, or
 *                  "-----BEGIN ENCRYPTED PRIVATE KEY-----…"  PBES2 / scrypt / AES-256-CBC)</pre>
 * Created when missing (atomically, owner-only, and never over an existing file: a second writer
 * racing the first fails, see {@link AtomicFiles}). A present file that cannot be read, parsed, has
 * another {@code version}, is accessible by group or others (POSIX), or whose public key does not
 * match its private key is never regenerated or overwritten: loading fails with a
 * {@link KeyFileException} naming the file and leaves it as it is.
 */
public final class IdentityKeyFiles {
    /** The one key-file version this code reads and writes. */
    static final int VERSION = 1;
    /** Largest scrypt N accepted when loading (a tampered file must not make us allocate gigabytes). */
    static final int MAX_SCRYPT_N = 1 << 20;
    /**
     * Largest scrypt memory accepted when loading, {@code 128 * N * r} bytes: 256 MiB, twice
     * {@link ScryptParams#DEFAULT}'s. N and r within their own bounds could still ask for 4 GiB.
     */
    static final long MAX_SCRYPT_MEMORY = 256L << 20;
    /** Largest scrypt work accepted when loading, {@code N * r * p}: four times {@link ScryptParams#DEFAULT}'s. */
    static final long MAX_SCRYPT_WORK = 4L << 20;

    private IdentityKeyFiles() {
    }

    /** @return the file name for a role: {@code <role>_identity_keys.json}. */
    public static String fileName(String role) {
        return Roles.check(role) + "_identity_keys.json";
    }

    /**
     * Loads the identity of {@code role} from {@code dir}, or generates and stores one if the file
     * does not exist. When creating, the prompt is asked once; a non-empty password encrypts the
     * private key with scrypt {@code scrypt}. The password array is wiped after use.
     * @throws WrongPasswordException if the file is encrypted and the password is wrong
     * @throws KeyFileException if the file is unreadable, corrupt, tampered with or cannot be written
     */
    public static IdentityKeyPair loadOrCreate(Path dir, String role, PasswordPrompt prompt,
            ScryptParams scrypt, SecureRandom random) throws KeyFileException {
        Path file = dir.resolve(fileName(role));
        if (Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            return load(file, prompt);
        }
        IdentityKeyPair kp = IdentityKeyPair.generate(random);
        char[] password = prompt.passwordFor(file, true);
        try {
            write(file, role, kp, password, scrypt, random);
        } finally {
            wipe(password);
        }
        return kp;
    }

    /**
     * Loads or creates the identity of {@code role} in {@code dir} and its storage secret
     * ({@code <role>_storage_secret.json}, see {@link StorageSecret}) under the same password, asking
     * the prompt at most once. A missing storage secret is created (once; never overwritten); when the
     * identity key file was already there, the secret records that the identity predates it, so that
     * data sealed under the old derivation from the identity key can be read once
     * ({@link LocalIdentity#legacyKeyToReadOldData}).
     * @throws WrongPasswordException if the identity key file is encrypted and the password is wrong
     * @throws KeyFileException if either file is unreadable, corrupt, tampered with, accessible by
     *         others, of an unknown version or cannot be written
     */
    public static LocalIdentity loadOrCreateLocal(Path dir, String role, PasswordPrompt prompt,
            ScryptParams scrypt, SecureRandom random) throws KeyFileException {
        try (OncePrompt once = new OncePrompt(prompt)) {
            Path idFile = dir.resolve(fileName(role));
            boolean existed = Files.exists(idFile, LinkOption.NOFOLLOW_LINKS);
            IdentityKeyPair identity = loadOrCreate(dir, role, once, scrypt, random);
            Path secretFile = dir.resolve(StorageSecretFiles.fileName(role));
            if (Files.exists(secretFile, LinkOption.NOFOLLOW_LINKS)) {
                StorageSecretFiles.Loaded l = StorageSecretFiles.load(secretFile, role, identity, once);
                return new LocalIdentity(identity, l.storage(), l.identityPredatesIt());
            }
            char[] password = once.answerIfAsked();
            try {
                StorageSecret secret = StorageSecretFiles.create(secretFile, role, identity, existed, password, scrypt,
                        random, once);
                return new LocalIdentity(identity, secret, existed);
            } finally {
                wipe(password);
            }
        }
    }

    /** Asks the prompt at most once and answers copies of that answer; {@link #close()} wipes it. */
    private static final class OncePrompt implements PasswordPrompt, AutoCloseable {
        private final PasswordPrompt delegate;
        private boolean asked;
        private char[] answer;

        OncePrompt(PasswordPrompt delegate) {
            this.delegate = delegate;
        }

        @Override
        public char[] passwordFor(Path file, boolean creating) {
            if (!asked) {
                asked = true;
                answer = delegate.passwordFor(file, creating);
            }
            return answer == null ? null : answer.clone();
        }

        /** @return a copy of the answer if the prompt was asked (the identity key is protected by it), else null */
        char[] answerIfAsked() {
            return answer == null ? null : answer.clone();
        }

        @Override
        public void close() {
            wipe(answer);
        }
    }

    /**
     * Loads an existing identity key file. The prompt is asked only if the private key is encrypted.
     * @throws WrongPasswordException if the password is wrong
     * @throws KeyFileException if the file is missing, unreadable, corrupt or tampered with
     */
    public static IdentityKeyPair load(Path file, PasswordPrompt prompt) throws KeyFileException {
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            throw new KeyFileException(file, "identity key file missing");
        }
        byte[] bytes = KeyFileChecks.readOwnerOnly(file, "identity key file");
        JsonObject json;
        String privPem;
        String pubPem;
        try {
            json = JsonFiles.parseObject(bytes);
            KeyFileChecks.version(file, json, "identity key file", VERSION);
            privPem = JsonFiles.requireString(json, "private_key");
            pubPem = JsonFiles.requireString(json, "public_key");
        } catch (IOException e) {
            throw new KeyFileException(file, "corrupt identity key file (" + e.getMessage() + ")");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
        IdentityPublicKey storedPublic;
        PemObject privObj;
        try {
            PemObject pubObj = Pem.decode(pubPem);
            if (!"PUBLIC KEY".equals(pubObj.getType())) {
                throw new IOException("public_key is not a PEM PUBLIC KEY");
            }
            storedPublic = IdentityPublicKey.fromSpki(pubObj.getContent());
            privObj = Pem.decode(privPem);
        } catch (IOException e) {
            throw new KeyFileException(file, "corrupt identity key file (bad PEM)");
        } catch (InvalidPublicKeyException e) {
            throw new KeyFileException(file, "corrupt identity key file (public_key is not a P-256 key)");
        }
        PrivateKeyInfo pki;
        if ("PRIVATE KEY".equals(privObj.getType())) {
            pki = parsePrivateKeyInfo(file, privObj.getContent());
        } else if ("ENCRYPTED PRIVATE KEY".equals(privObj.getType())) {
            pki = decrypt(file, privObj.getContent(), prompt);
        } else {
            throw new KeyFileException(file, "corrupt identity key file (private_key is not a PKCS#8 PEM)");
        }
        IdentityKeyPair kp = toKeyPair(file, pki);
        if (!kp.publicKey().equals(storedPublic)) {
            throw new KeyFileException(file, "identity key file tampered with: public key does not match private key");
        }
        return kp;
    }

    /**
     * Writes a new identity key file; never replaces an existing one.
     * @param password null or empty for an unencrypted private key (not wiped here)
     * @throws KeyFileException if the file exists or cannot be written
     */
    public static void write(Path file, String role, IdentityKeyPair kp, char[] password, ScryptParams scrypt,
            SecureRandom random) throws KeyFileException {
        byte[] pkcs8 = kp.pkcs8ForKeyFile();
        PrivateKeyInfo pki = PrivateKeyInfo.getInstance(pkcs8);
        Arrays.fill(pkcs8, (byte) 0); // best effort: PrivateKeyInfo and the JCA key keep their own copies
        String privPem;
        try {
            if (password != null && password.length > 0) {
                OutputEncryptor enc = new JcePKCSPBEOutputEncryptorBuilder(
                        new ScryptConfig.Builder(scrypt.n(), scrypt.r(), scrypt.p()).withSaltLength(16).build(),
                        NISTObjectIdentifiers.id_aes256_CBC)
                        .setProvider(CryptoProviders.BC).setRandom(random).build(password);
                PKCS8EncryptedPrivateKeyInfo e = new PKCS8EncryptedPrivateKeyInfoBuilder(pki).build(enc);
                privPem = Pem.encode("ENCRYPTED PRIVATE KEY", e.getEncoded());
            } else {
                privPem = Pem.encode("PRIVATE KEY", pki.getEncoded());
            }
        } catch (Exception e) {
            throw new AssertionError("PKCS#8 encoding failed", e);
        }
        JsonObject json = Json.createObjectBuilder()
                .add("version", VERSION)
                .add("role", role)
                .add("algorithm", "ECDSA P-256")
                .add("fingerprint", kp.publicKey().fingerprint())
                .add("public_key", Pem.encode("PUBLIC KEY", kp.publicKey().spki()))
                .add("private_key", privPem)
                .build();
        byte[] bytes = JsonFiles.toBytes(json);
        try {
            AtomicFiles.write(file, bytes, false);
        } catch (FileAlreadyExistsException e) {
            throw new KeyFileException(file, "identity key file already exists (another process may have just"
                    + " created it), not overwriting");
        } catch (IOException e) {
            throw new KeyFileException(file, "cannot write identity key file");
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static PrivateKeyInfo decrypt(Path file, byte[] der, PasswordPrompt prompt) throws KeyFileException {
        PKCS8EncryptedPrivateKeyInfo enc;
        try {
            enc = new PKCS8EncryptedPrivateKeyInfo(der);
            checkScryptCost(enc);
        } catch (IOException | RuntimeException e) {
            throw new KeyFileException(file, "corrupt identity key file (bad encrypted PKCS#8)");
        }
        char[] password = prompt.passwordFor(file, false);
        try {
            if (password == null || password.length == 0) {
                throw new KeyFileException(file, "identity key file is password-protected but no password was given");
            }
            PrivateKeyInfo pki = enc.decryptPrivateKeyInfo(
                    new JcePKCSPBEInputDecryptorProviderBuilder().setProvider(CryptoProviders.BC).build(password));
            if (pki == null) {
                throw new WrongPasswordException(file);
            }
            return pki;
        } catch (KeyFileException e) {
            throw e;
        } catch (Exception e) {
            // CBC padding or ASN.1 failure after decryption: a wrong password (or a corrupted
            // ciphertext, which PBES2-CBC cannot tell apart).
            throw new WrongPasswordException(file);
        } finally {
            wipe(password);
        }
    }

    private static void checkScryptCost(PKCS8EncryptedPrivateKeyInfo enc) throws IOException {
        if (!PKCSObjectIdentifiers.id_PBES2.equals(enc.getEncryptionAlgorithm().getAlgorithm())) {
            throw new IOException("not PBES2");
        }
        PBES2Parameters p = PBES2Parameters.getInstance(enc.getEncryptionAlgorithm().getParameters());
        if (!MiscObjectIdentifiers.id_scrypt.equals(p.getKeyDerivationFunc().getAlgorithm())) {
            throw new IOException("not scrypt");
        }
        org.bouncycastle.asn1.misc.ScryptParams sp =
                org.bouncycastle.asn1.misc.ScryptParams.getInstance(p.getKeyDerivationFunc().getParameters());
        BigInteger n = sp.getCostParameter();
        BigInteger r = sp.getBlockSize();
        BigInteger par = sp.getParallelizationParameter();
        // Compared as BigIntegers first: intValue() of a huge or negative value would wrap into range.
        if (n.signum() <= 0 || r.signum() <= 0 || par.signum() <= 0
                || n.bitLength() > 21 || r.bitLength() > 6 || par.bitLength() > 5) {
            throw new IOException("scrypt parameters out of range");
        }
        long nl = n.longValue();
        long rl = r.longValue();
        long pl = par.longValue();
        if (!KeyFileChecks.scryptCostAcceptable(nl, rl, pl)) {
            throw new IOException("scrypt parameters too large");
        }
    }

    private static PrivateKeyInfo parsePrivateKeyInfo(Path file, byte[] der) throws KeyFileException {
        try {
            return PrivateKeyInfo.getInstance(der);
        } catch (RuntimeException e) {
            throw new KeyFileException(file, "corrupt identity key file (bad PKCS#8)");
        }
    }

    private static IdentityKeyPair toKeyPair(Path file, PrivateKeyInfo pki) throws KeyFileException {
        try {
            ASN1Encodable params = pki.getPrivateKeyAlgorithm().getParameters();
            if (!X9ObjectIdentifiers.id_ecPublicKey.equals(pki.getPrivateKeyAlgorithm().getAlgorithm())
                    || !SECObjectIdentifiers.secp256r1.equals(params)) {
                throw new KeyFileException(file, "identity key file does not hold a P-256 private key");
            }
            PrivateKey pk = new JcaPEMKeyConverter().setProvider(CryptoProviders.BC).getPrivateKey(pki);
            return IdentityKeyPair.fromPrivateKey(pk);
        } catch (KeyFileException e) {
            throw e;
        } catch (Exception e) {
            throw new KeyFileException(file, "corrupt identity key file (bad private key)");
        }
    }

    private static void wipe(char[] password) {
        if (password != null) {
            Arrays.fill(password, '\0');
        }
    }
}
