package io.securerelay.relay.cluster;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A relay instance's identity in the cluster: 8 random bytes drawn at start, so a restarted
 * instance is a new one. It names the instance's pub/sub channel and is the value of its
 * directory entries. Not a secret.
 */
final class InstanceId {

    static final int LENGTH = 8;
    private static final HexFormat HEX = HexFormat.of();

    private final byte[] bytes;
    private final String hex;

    private InstanceId(byte[] bytes) {
        this.bytes = bytes;
        this.hex = HEX.formatHex(bytes);
    }

    static InstanceId random(SecureRandom random) {
        byte[] b = new byte[LENGTH];
        random.nextBytes(b);
        return new InstanceId(b);
    }

    /** @throws IllegalArgumentException unless {@code bytes} has {@value #LENGTH} bytes */
    static InstanceId of(byte[] bytes) {
        if (bytes == null || bytes.length != LENGTH) {
            throw new IllegalArgumentException("an instance ID has " + LENGTH + " bytes");
        }
        return new InstanceId(bytes.clone());
    }

    /** @throws IllegalArgumentException unless {@code hex} is {@value #LENGTH} bytes in lower-case hex */
    static InstanceId parse(String hex) {
        if (hex == null || hex.length() != 2 * LENGTH || !hex.equals(hex.toLowerCase(java.util.Locale.ROOT))) {
            throw new IllegalArgumentException("an instance ID is " + 2 * LENGTH + " lower-case hex digits");
        }
        return new InstanceId(HEX.parseHex(hex));
    }

    byte[] toBytes() {
        return bytes.clone();
    }

    String hex() {
        return hex;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof InstanceId other && Arrays.equals(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return hex.hashCode();
    }

    @Override
    public String toString() {
        return hex;
    }
}
