package io.securerelay.crypto;

import java.security.MessageDigest;

/**
 * HMAC-SHA256 with full-length (32-byte) tags only, from the JDK provider. Truncated tags are
 * rejected by {@link #verify}: the protocol never truncates, so accepting them would only weaken it.
 */
public final class HmacSha256 {
    /** Tag length in bytes. */
    public static final int TAG_LEN = 32;

    private HmacSha256() {
    }

    /** @return HMAC-SHA256(key, concatenation of parts). Keys of any non-zero length are accepted. */
    public static byte[] compute(byte[] key, byte[]... parts) {
        if (key == null || key.length == 0) {
            throw new IllegalArgumentException("empty HMAC key");
        }
        return Hkdf.hmac(key, parts);
    }

    /**
     * Verifies a full-length tag in constant time.
     * @throws AuthenticationFailedException if the tag is wrong or not exactly 32 bytes
     */
    public static void verify(byte[] key, byte[] tag, byte[]... parts) throws AuthenticationFailedException {
        byte[] expected = compute(key, parts);
        boolean ok = tag != null && tag.length == TAG_LEN && MessageDigest.isEqual(expected, tag);
        if (!ok) {
            throw new AuthenticationFailedException("MAC verification failed");
        }
    }
}
