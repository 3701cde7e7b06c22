package io.securerelay.keystore;

import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.KeyFileException;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.securerelay.fuzz.FuzzFiles;
import io.securerelay.fuzz.Mutations;
import io.securerelay.keystore.internal.Pem;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import org.bouncycastle.asn1.misc.MiscObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.EncryptedPrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.KeyDerivationFunc;
import org.bouncycastle.asn1.pkcs.PBES2Parameters;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;

/**
 * Fuzzes the loading of an identity key file ({@code <role>_identity_keys.json}) from disk.
 *
 * <p>The bytes written to the file are, as the fuzzer picks: raw, a valid unencrypted file edited,
 * a valid password-protected file edited, or the valid protected file with scrypt parameters
 * (N, r, p) of the fuzzer's choice (a tampered file choosing the cost of its own decryption).
 *
 * <p>Contract checked: {@link IdentityKeyFiles#loadOrCreate} on the directory holding the file
 * returns the fixed identity (nothing else can be made to load: the public key must match the
 * private key) or throws {@link KeyFileException} (including {@link WrongPasswordException}) whose
 * message names the file and does not contain the password. Either way the file is still there
 * with exactly the bytes written, and nothing else was written beside it: a corrupt file is never
 * regenerated, overwritten or deleted. Any other throwable (an unchecked exception, an
 * {@link OutOfMemoryError}, a hang) is a finding.
 */
class IdentityKeyFileFuzzTest {
    private static final String ROLE = "bank";
    private static final char[] PASSWORD = "Tr0ub4dor&3-fuzz".toCharArray();
    /** Small scrypt cost for the fixed protected file (fast to fuzz). */
    private static final ScryptParams FAST = new ScryptParams(16, 1, 1);
    private static final IdentityKeyPair KEY = IdentityKeyPair.generate(fixedRandom());
    private static final Path DIR;
    private static final byte[] PLAIN;
    private static final byte[] ENCRYPTED;

    static {
        try {
            DIR = FuzzFiles.newDirectory("keyfile-fuzz");
            PLAIN = written(null);
            ENCRYPTED = written(PASSWORD);
        } catch (IOException | KeyFileException e) {
            throw new AssertionError(e);
        }
    }

    @FuzzTest
    void load(FuzzedDataProvider data) throws IOException {
        int which = data.consumeInt(0, 2);
        byte[] content;
        if (which == 0) {
            content = Mutations.of(data, PLAIN);
        } else if (which == 1) {
            content = Mutations.of(data, ENCRYPTED);
        } else {
            content = withScrypt(ENCRYPTED, bigInteger(data), bigInteger(data), bigInteger(data));
        }
        Path file = DIR.resolve(IdentityKeyFiles.fileName(ROLE));
        FuzzFiles.writeOwnerOnly(file, content);
        try {
            IdentityKeyPair loaded = IdentityKeyFiles.loadOrCreate(DIR, ROLE, PasswordPrompt.fixed(PASSWORD),
                    FAST, fixedRandom());
            assertEquals(KEY.publicKey(), loaded.publicKey(), "a key file loaded another identity than the one written");
        } catch (KeyFileException e) {
            assertTrue(e.getMessage().contains(file.toString()), "the message does not name the file: " + e.getMessage());
            assertFalse(e.getMessage().contains(new String(PASSWORD)), "the message holds the password");
        } finally {
            FuzzFiles.assertLeftAsWrittenThenDelete(file, content);
        }
    }

    /** The protected file with its scrypt parameters replaced (salt, key length and ciphertext kept). */
    static byte[] withScrypt(byte[] encryptedFile, BigInteger n, BigInteger r, BigInteger p) {
        try {
            JsonObject json = Json.createReader(new StringReader(new String(encryptedFile, StandardCharsets.UTF_8))).readObject();
            EncryptedPrivateKeyInfo epki = EncryptedPrivateKeyInfo.getInstance(
                    Pem.decode(json.getString("private_key")).getContent());
            PBES2Parameters pbes2 = PBES2Parameters.getInstance(epki.getEncryptionAlgorithm().getParameters());
            org.bouncycastle.asn1.misc.ScryptParams old =
                    org.bouncycastle.asn1.misc.ScryptParams.getInstance(pbes2.getKeyDerivationFunc().getParameters());
            org.bouncycastle.asn1.misc.ScryptParams chosen =
                    new org.bouncycastle.asn1.misc.ScryptParams(old.getSalt(), n, r, p, old.getKeyLength());
            EncryptedPrivateKeyInfo tampered = new EncryptedPrivateKeyInfo(
                    new AlgorithmIdentifier(PKCSObjectIdentifiers.id_PBES2, new PBES2Parameters(
                            new KeyDerivationFunc(MiscObjectIdentifiers.id_scrypt, chosen), pbes2.getEncryptionScheme())),
                    epki.getEncryptedData());
            JsonObject out = Json.createObjectBuilder(json)
                    .add("private_key", Pem.encode("ENCRYPTED PRIVATE KEY", tampered.getEncoded())).build();
            return out.toString().getBytes(StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Mostly small powers of two and small numbers, sometimes anything (negative, huge). */
    private static BigInteger bigInteger(FuzzedDataProvider data) {
        switch (data.consumeInt(0, 2)) {
            case 0:
                return BigInteger.ONE.shiftLeft(data.consumeInt(0, 40));
            case 1:
                return BigInteger.valueOf(data.consumeInt(-2, 64));
            default: {
                byte[] b = data.consumeBytes(9);
                return b.length == 0 ? BigInteger.ZERO : new BigInteger(b);
            }
        }
    }

    private static SecureRandom fixedRandom() {
        return FuzzFiles.seededRandom(42);
    }

    private static byte[] written(char[] password) throws IOException, KeyFileException {
        Path d = FuzzFiles.newDirectory("keyfile-seed");
        Path f = d.resolve(IdentityKeyFiles.fileName(ROLE));
        IdentityKeyFiles.write(f, ROLE, KEY, password, FAST, fixedRandom());
        byte[] b = Files.readAllBytes(f);
        Files.delete(f);
        Files.delete(d);
        return b;
    }
}
