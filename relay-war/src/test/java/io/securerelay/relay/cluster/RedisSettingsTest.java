package io.securerelay.relay.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cluster mode's Redis settings: each mistake is refused with one sentence, and the password never shows. */
class RedisSettingsTest {

    private static final String SECRET = "s3cret-password-value";

    @TempDir
    Path dir;

    private Map<String, String> valid() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "-----BEGIN CERTIFICATE-----\n");
        Path pass = Files.writeString(dir.resolve("pass"), SECRET + "\n");
        Map<String, String> c = new HashMap<>();
        c.put(RedisSettings.URI, "rediss://127.0.0.1:6390");
        c.put(RedisSettings.CA_FILE, ca.toString());
        c.put(RedisSettings.PASSWORD_FILE, pass.toString());
        return c;
    }

    private static RedisSettings read(Map<String, String> c) {
        return RedisSettings.read(c::get, Map.of("REDIS_PW", SECRET)::get);
    }

    private static String refusal(Map<String, String> c) {
        return assertThrows(IllegalArgumentException.class, () -> read(c)).getMessage();
    }

    @Test
    void aValidServerUriWithItsDefaultsAndNoPasswordInItsText() throws Exception {
        RedisSettings s = read(valid());
        assertEquals("secure-relay", s.user());
        assertEquals("127.0.0.1:6390", s.where());
        assertEquals(6, s.ttl().toSeconds());
        assertEquals(RedisSettings.Topology.SERVER, s.topology());
        assertFalse(s.toString().contains(SECRET), s.toString());
        assertTrue(s.toString().contains("password from file"), s.toString());
        assertEquals("WRONGPASS for ****", s.scrub("WRONGPASS for " + SECRET));
    }

    @Test
    void theUserComesFromTheUriAndThePasswordFromTheEnvironmentIfAsked() throws Exception {
        Map<String, String> c = valid();
        c.put(RedisSettings.URI, "rediss://relays@redis.internal:6379");
        c.remove(RedisSettings.PASSWORD_FILE);
        c.put(RedisSettings.PASSWORD_ENV, "REDIS_PW");
        RedisSettings s = read(c);
        assertEquals("relays", s.user());
        assertEquals("redis.internal:6379", s.where());
    }

    @Test
    void everyMistakeIsRefusedWithItsKeyAndNeverShowsThePassword() throws Exception {
        Map<String, String> c = valid();
        c.put(RedisSettings.URI, "redis://127.0.0.1:6390");
        assertTrue(refusal(c).startsWith("relay.cluster.redis.uri must use TLS"), refusal(c));
        c.put(RedisSettings.URI, "rediss://secure-relay:" + SECRET + "@127.0.0.1:6390");
        assertTrue(refusal(c).contains("contains a password"), refusal(c));
        assertFalse(refusal(c).contains(SECRET));
        c.remove(RedisSettings.URI);
        assertTrue(refusal(c).startsWith("relay.cluster.redis.uri is not set"), refusal(c));

        c = valid();
        c.put(RedisSettings.CA_FILE, dir.resolve("missing.pem").toString());
        assertTrue(refusal(c).contains("not a readable file"), refusal(c));
        c = valid();
        c.remove(RedisSettings.PASSWORD_FILE);
        assertTrue(refusal(c).contains("needs the Redis user's password"), refusal(c));
        c.put(RedisSettings.PASSWORD_ENV, "UNSET_VARIABLE");
        assertTrue(refusal(c).contains("not set or empty"), refusal(c));
        c = valid();
        c.put(RedisSettings.PASSWORD_FILE, Files.writeString(dir.resolve("empty"), "\n").toString());
        assertTrue(refusal(c).contains("which is empty"), refusal(c));
        c = valid();
        c.put(RedisSettings.TTL_SECONDS, "1");
        assertTrue(refusal(c).contains("from 2 to 300"), refusal(c));
        c = valid();
        c.put(RedisSettings.TOPOLOGY, "sentinel");
        assertTrue(refusal(c).contains("server or cluster"), refusal(c));
    }
}
