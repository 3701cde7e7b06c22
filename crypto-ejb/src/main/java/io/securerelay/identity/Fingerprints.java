package io.securerelay.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Human-checkable key identifiers.
 * <ul>
 * <li>Fingerprint: SHA-256 of the SPKI DER, 16 groups of 4 lowercase hex digits.</li>
 * <li>Safety number (Signal style): per key, {@code h = SHA-512(0x0000 || point)} then 5200 times
 * {@code h = SHA-512(h || point)}; the first 30 bytes give six 5-byte big-endian chunks, each
 * {@code mod 100000} printed as 5 digits (30 digits per key). The two 30-digit strings are sorted
 * and concatenated: 60 digits, shown as 12 groups of 5. Order-independent, so both sides see the
 * same number.</li>
 * </ul>
 */
public final class Fingerprints {
    static final int ITERATIONS = 5200;
    private static final byte[] VERSION = {0, 0};

    private Fingerprints() {
    }

    /** @return the fingerprint of a key. */
    public static String fingerprint(IdentityPublicKey key) {
        return key.fingerprint();
    }

    static String fingerprintOfSpki(byte[] spki) {
        String hex = HexFormat.of().formatHex(sha("SHA-256").digest(spki));
        StringBuilder sb = new StringBuilder(80);
        for (int i = 0; i < hex.length(); i += 4) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(hex, i, i + 4);
        }
        return sb.toString();
    }

    /** @return the 60-digit safety number as 12 groups of 5 separated by spaces. */
    public static String safetyNumber(IdentityPublicKey a, IdentityPublicKey b) {
        String da = digits(a.point());
        String db = digits(b.point());
        String joined = da.compareTo(db) <= 0 ? da + db : db + da;
        StringBuilder sb = new StringBuilder(71);
        for (int i = 0; i < joined.length(); i += 5) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(joined, i, i + 5);
        }
        return sb.toString();
    }

    private static String digits(byte[] point) {
        MessageDigest md = sha("SHA-512");
        md.update(VERSION);
        md.update(point);
        byte[] h = md.digest();
        for (int i = 0; i < ITERATIONS; i++) {
            md.update(h);
            md.update(point);
            h = md.digest();
        }
        StringBuilder sb = new StringBuilder(30);
        for (int c = 0; c < 6; c++) {
            long v = 0;
            for (int j = 0; j < 5; j++) {
                v = (v << 8) | (h[c * 5 + j] & 0xff);
            }
            sb.append(String.format("%05d", v % 100000));
        }
        return sb.toString();
    }

    private static MessageDigest sha(String alg) {
        try {
            return MessageDigest.getInstance(alg);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(alg + " unavailable", e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
