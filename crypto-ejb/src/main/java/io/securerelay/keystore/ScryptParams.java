package io.securerelay.keystore;

/**
 * scrypt cost for encrypting an identity private key (PBES2, AES-256-CBC).
 * {@link #DEFAULT} (N=2^17, r=8, p=1: 128 MiB, about half a second) is for users; tests pass a
 * small N. Stored in the file, so loading needs no parameters.
 */
public record ScryptParams(int n, int r, int p) {
    public static final ScryptParams DEFAULT = new ScryptParams(1 << 17, 8, 1);

    public ScryptParams {
        if (n < 2 || (n & (n - 1)) != 0) {
            throw new IllegalArgumentException("scrypt N must be a power of two >= 2");
        }
        if (r < 1 || p < 1) {
            throw new IllegalArgumentException("scrypt r and p must be >= 1");
        }
    }
}
