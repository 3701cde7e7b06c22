package io.securerelay.protocol.internal;

import io.securerelay.crypto.Hkdf;
import io.securerelay.crypto.SecretBytes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Labels, transcript hashes and key derivations of protocol version 1 (HKDF-SHA256, RFC 5869).
 * <pre>
 * THI  = SHA-256(LABEL | ver | sidI | sidR | eI | idI)            (signed in INIT)
 * TH0  = SHA-256(LABEL | ver | sidI | sidR | eI | eR)
 * THR  = SHA-256(LABEL | ver | sidI | sidR | eI | eR | idR)
 * THF  = SHA-256(LABEL | ver | sidI | sidR | eI | eR | idR | idI)
 * PRK  = HKDF-Extract(salt = TH0, IKM = ECDH(eI, eR).x)
 * kcR  = HKDF-Expand(PRK, "sr-e2e v1 confirm responder", 32)
 * kcI  = HKDF-Expand(PRK, "sr-e2e v1 confirm initiator", 32)
 * k_d  = HKDF-Expand(PRK, "sr-e2e v1 key " + d | THF, 32)    d in {i2r, r2i}
 * iv_d = HKDF-Expand(PRK, "sr-e2e v1 iv " + d | THF, 12)
 * rekey: k' = HKDF-Expand(k, "sr-e2e v1 rekey", 32)
 * </pre>
 */
public final class KeySchedule {
    public static final byte[] LABEL = ascii("secure-relay e2e v1");
    public static final byte[] CONFIRM_R = ascii("sr-e2e v1 confirm responder");
    public static final byte[] CONFIRM_I = ascii("sr-e2e v1 confirm initiator");
    /** Role label of the initiator's INIT signature (over THI); distinct from SIG_I and SIG_R. */
    public static final byte[] SIG_INIT = ascii("sr-e2e v1 initiator init signature");
    public static final byte[] SIG_R = ascii("sr-e2e v1 responder signature");
    public static final byte[] SIG_I = ascii("sr-e2e v1 initiator signature");
    public static final byte[] MAC_R = ascii("sr-e2e v1 responder confirm");
    public static final byte[] MAC_I = ascii("sr-e2e v1 initiator confirm");
    public static final byte[] REKEY = ascii("sr-e2e v1 rekey");
    public static final byte[] MSG = ascii("sr-e2e v1 message");
    public static final byte[] I2R = ascii("i2r");
    public static final byte[] R2I = ascii("r2i");
    /** Direction byte in the message signature input: 0x01 initiator to responder, 0x02 back. */
    public static final byte[] DIR_I2R = {1};
    public static final byte[] DIR_R2I = {2};

    private KeySchedule() {
    }

    public static byte[] transcript(byte[]... parts) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(LABEL);
            md.update(new byte[] {Wire.VERSION});
            for (byte[] p : parts) {
                md.update(p);
            }
            return md.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("SHA-256 unavailable", e);
        }
    }

    public static SecretBytes expand(byte[] prk, byte[] label, byte[] context, int len) {
        return SecretBytes.wrap(Hkdf.expand(prk, Wire.concat(label, context), len));
    }

    public static SecretBytes trafficKey(byte[] prk, byte[] dir, byte[] thf) {
        return expand(prk, Wire.concat(ascii("sr-e2e v1 key "), dir), thf, 32);
    }

    public static byte[] trafficIv(byte[] prk, byte[] dir, byte[] thf) {
        return Hkdf.expand(prk, Wire.concat(ascii("sr-e2e v1 iv "), dir, thf), 12);
    }

    /** @return the next epoch's key; the old key is left to the caller to destroy. */
    public static SecretBytes rekey(SecretBytes key) {
        byte[] k = key.toByteArray();
        try {
            return SecretBytes.wrap(Hkdf.expand(k, REKEY, 32));
        } finally {
            java.util.Arrays.fill(k, (byte) 0);
        }
    }

    /** TLS 1.3 style nonce: the 12-byte static IV XOR the 64-bit sequence number (right-aligned). */
    public static byte[] nonce(byte[] iv, long seq) {
        byte[] n = iv.clone();
        for (int i = 0; i < 8; i++) {
            n[11 - i] ^= (byte) (seq >>> (8 * i));
        }
        return n;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
