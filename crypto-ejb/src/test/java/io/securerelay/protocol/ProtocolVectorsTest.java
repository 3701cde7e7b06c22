package io.securerelay.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.securerelay.crypto.AesGcm;
import io.securerelay.crypto.Hkdf;
import io.securerelay.crypto.HmacSha256;
import io.securerelay.crypto.P256;
import io.securerelay.keystore.IdentityKeyFiles;
import io.securerelay.identity.IdentityKeyPair;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The protocol test vectors ({@code docs/vectors/secure-relay-v1.json}) both ways: the product's code
 * regenerates the committed file byte for byte, and the file, replayed from its inputs alone (labels and
 * layouts typed from docs/PROTOCOL.md, not taken from the product's constants), gives every derived value
 * and wire byte it lists; each negative case, fed to the real state machine, fails as the file states.
 */
class ProtocolVectorsTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final String SPKI_HEADER = "3059301306072a8648ce3d020106082a8648ce3d030107034200";
    private static String committed;
    private static JsonObject vectors;

    @BeforeAll
    static void load() throws Exception {
        Path file = Paths.get("..").resolve(ProtocolVectors.FILE);
        committed = Files.readString(file);
        try (JsonReader r = Json.createReader(new StringReader(committed))) {
            vectors = r.readObject();
        }
    }

    @Test
    void theCommittedFileIsWhatTheProductsCodeGenerates() throws Exception {
        assertEquals(committed, ProtocolVectors.generate(), "docs/vectors/secure-relay-v1.json is stale: regenerate it "
                + "with mvn -q -pl crypto-ejb -am test-compile exec:java@vectors and review the diff");
        assertTrue(committed.length() < 160_000, "the vectors file should stay small: " + committed.length());
    }

    @Test
    void everyDerivedValueAndWireByteFollowsFromTheInputs(@TempDir Path tmp) throws Exception {
        List<JsonObject> conversations = objects(vectors.getJsonArray("conversations"));
        assertEquals(2, conversations.size());
        for (JsonObject c : conversations) {
            JsonObject ini = c.getJsonObject("initiator");
            JsonObject res = c.getJsonObject("responder");
            byte[] idI = party(ini, tmp);
            byte[] idR = party(res, tmp);
            byte[] sidI = hex(ini, "session_id");
            byte[] sidR = hex(res, "session_id");
            assertEquals(safetyNumber(idI, idR), c.getString("safety_number"), "safety number");
            assertEquals(safetyNumber(idR, idI), c.getString("safety_number"), "safety number is order-independent");

            JsonObject h = c.getJsonObject("handshake");
            byte[] eI = point(hex(ini, "ephemeral_private_scalar"));
            byte[] eR = point(hex(res, "ephemeral_private_scalar"));
            assertArrayEquals(eI, hex(h, "eI"));
            assertArrayEquals(eR, hex(h, "eR"));
            byte[] thI = transcript(sidI, sidR, eI, idI);
            byte[] th0 = transcript(sidI, sidR, eI, eR);
            byte[] thR = transcript(sidI, sidR, eI, eR, idR);
            byte[] thF = transcript(sidI, sidR, eI, eR, idR, idI);
            assertArrayEquals(thI, hex(h, "THI"));
            assertArrayEquals(th0, hex(h, "TH0"));
            assertArrayEquals(thR, hex(h, "THR"));
            assertArrayEquals(thF, hex(h, "THF"));
            byte[] ss = P256.ecdh(priv(hex(ini, "ephemeral_private_scalar")), P256.decodePoint(eR));
            assertArrayEquals(ss, P256.ecdh(priv(hex(res, "ephemeral_private_scalar")), P256.decodePoint(eI)));
            assertArrayEquals(ss, hex(h, "shared_secret"));
            byte[] prk = Hkdf.extract(th0, ss);
            assertArrayEquals(prk, hex(h, "PRK"));
            byte[] kcR = Hkdf.expand(prk, ascii("sr-e2e v1 confirm responder"), 32);
            byte[] kcI = Hkdf.expand(prk, ascii("sr-e2e v1 confirm initiator"), 32);
            assertArrayEquals(kcR, hex(h, "kcR"));
            assertArrayEquals(kcI, hex(h, "kcI"));
            byte[][] keys = {
                Hkdf.expand(prk, cat(ascii("sr-e2e v1 key i2r"), thF), 32),
                Hkdf.expand(prk, cat(ascii("sr-e2e v1 key r2i"), thF), 32)};
            byte[][] ivs = {
                Hkdf.expand(prk, cat(ascii("sr-e2e v1 iv i2r"), thF), 12),
                Hkdf.expand(prk, cat(ascii("sr-e2e v1 iv r2i"), thF), 12)};
            assertArrayEquals(keys[0], hex(h, "k_i2r"));
            assertArrayEquals(ivs[0], hex(h, "iv_i2r"));
            assertArrayEquals(keys[1], hex(h, "k_r2i"));
            assertArrayEquals(ivs[1], hex(h, "iv_r2i"));
            byte[] dI = hex(ini, "identity_private_scalar");
            byte[] dR = hex(res, "identity_private_scalar");
            byte[] sig0 = sign(dI, ascii("sr-e2e v1 initiator init signature"), thI);
            byte[] sigR = sign(dR, ascii("sr-e2e v1 responder signature"), thR);
            byte[] sigI = sign(dI, ascii("sr-e2e v1 initiator signature"), thF);
            byte[] macR = HmacSha256.compute(kcR, ascii("sr-e2e v1 responder confirm"), thR);
            byte[] macI = HmacSha256.compute(kcI, ascii("sr-e2e v1 initiator confirm"), thF);
            assertArrayEquals(sig0, hex(h, "sig0"));
            assertArrayEquals(sigR, hex(h, "sigR"));
            assertArrayEquals(sigI, hex(h, "sigI"));
            assertArrayEquals(macR, hex(h, "macR"));
            assertArrayEquals(macI, hex(h, "macI"));
            P256.verify(P256.decodePoint(idI), sig0, ascii("sr-e2e v1 initiator init signature"), thI);
            byte[] init = cat(b(1, 1), sidI, sidR, eI, idI, sig0);
            assertArrayEquals(init, hex(h, "INIT"));
            assertArrayEquals(cat(b(1, 2), sidI, sidR, eR, idR, sigR, macR), hex(h, "RESPONSE"));
            assertArrayEquals(cat(b(1, 3), sidI, sidR, sigI, macI), hex(h, "FINISH"));
            assertArrayEquals(cat(b(1, 2), sidR, init), hex(h, "INIT_send"));
            assertArrayEquals(cat(b(1, 0x82), sidI, init), hex(h, "INIT_deliver"));

            messages(c, thF, keys, ivs, new byte[][] {dI, dR}, new byte[][] {sidI, sidR});
        }
    }

    /** Replays the messages: keys per direction and epoch, nonces, padding, AAD, ciphertexts, signatures. */
    private static void messages(JsonObject c, byte[] thF, byte[][] keys, byte[][] ivs, byte[][] ids, byte[][] sids)
            throws Exception {
        JsonObject policy = c.getJsonObject("policy");
        int rekeyAfter = policy.getInt("rekey_after_messages");
        long rekeyAfterMillis = policy.getJsonNumber("rekey_after_seconds").longValue() * 1000;
        long start = c.getJsonNumber("start_time_millis").longValue();
        long[] seq = {0, 0};
        int[] epoch = {0, 0};
        int[] inEpoch = {0, 0};
        long[] epochStart = {start, start};
        byte[][] key = {keys[0].clone(), keys[1].clone()};
        for (JsonObject m : objects(c.getJsonArray("messages"))) {
            int d = m.getString("direction").equals("i2r") ? 0 : 1;
            long now = m.getJsonNumber("sealed_at_millis").longValue();
            if (inEpoch[d] >= rekeyAfter || now >= epochStart[d] + rekeyAfterMillis) {
                key[d] = Hkdf.expand(key[d], ascii("sr-e2e v1 rekey"), 32);
                epoch[d]++;
                inEpoch[d] = 0;
                epochStart[d] = now;
            }
            assertEquals(epoch[d], m.getInt("epoch"), "epoch of the " + m.getString("direction") + " direction");
            assertEquals(seq[d], m.getJsonNumber("seq").longValue(), "seq");
            assertArrayEquals(key[d], hex(m, "key"));
            byte[] body = appBody(m);
            assertArrayEquals(body, hex(m, "body"));
            int kind = switch (m.getString("kind")) {
                case "TEXT" -> 1;
                case "DUMMY" -> 2;
                case "ACK" -> 3;
                default -> throw new AssertionError(m.getString("kind"));
            };
            byte[] inner = new byte[padme(5 + body.length)];
            ByteBuffer.wrap(inner).put((byte) kind).putInt(body.length).put(body);
            assertArrayEquals(inner, hex(m, "inner"));
            byte[] nonce = ivs[d].clone();
            for (int i = 0; i < 8; i++) {
                nonce[11 - i] ^= (byte) (seq[d] >>> (8 * i));
            }
            assertArrayEquals(nonce, hex(m, "nonce"));
            byte[] header = ByteBuffer.allocate(14).put((byte) 1).put((byte) 0x10).putInt(epoch[d]).putLong(seq[d]).array();
            assertArrayEquals(header, hex(m, "header"));
            byte[] aad = cat(header, thF);
            assertArrayEquals(aad, hex(m, "aad"));
            byte[] ct = AesGcm.create(key[d]).seal(nonce, inner, aad);
            assertArrayEquals(ct, hex(m, "ciphertext"));
            byte[] sig = sign(ids[d], ascii("sr-e2e v1 message"), b(d + 1), thF, header, ct);
            assertArrayEquals(sig, hex(m, "signature"));
            byte[] sealed = cat(header, ct, sig);
            assertArrayEquals(sealed, hex(m, "sealed"));
            if (m.containsKey("send")) {
                assertArrayEquals(cat(b(1, 2), sids[1 - d], sealed), hex(m, "send"));
                assertArrayEquals(cat(b(1, 0x82), sids[d], sealed), hex(m, "deliver"));
            }
            seq[d]++;
            inEpoch[d]++;
        }
        JsonObject finalEpochs = c.getJsonObject("final_epochs");
        assertEquals(epoch[0], finalEpochs.getInt("i2r"));
        assertEquals(epoch[1], finalEpochs.getInt("r2i"));
    }

    /** Part 3 of docs/PROTOCOL.md: TEXT = number | sent_at_millis | UTF-8; ACK = up_to | flags. */
    private static byte[] appBody(JsonObject m) {
        JsonObject app = m.getJsonObject("app");
        switch (m.getString("kind")) {
            case "TEXT" -> {
                assertEquals(m.getJsonNumber("sealed_at_millis").longValue(), app.getJsonNumber("sent_at_millis").longValue());
                byte[] utf8 = app.getString("text").getBytes(StandardCharsets.UTF_8);
                return ByteBuffer.allocate(16 + utf8.length).putLong(app.getJsonNumber("number").longValue())
                        .putLong(app.getJsonNumber("sent_at_millis").longValue()).put(utf8).array();
            }
            case "ACK" -> {
                return ByteBuffer.allocate(9).putLong(app.getJsonNumber("up_to").longValue())
                        .put((byte) (app.getBoolean("gap") ? 1 : 0)).array();
            }
            default -> {
                byte[] body = hex(m, "body");
                assertEquals(app.getInt("dummy_bytes"), body.length);
                return body;
            }
        }
    }

    @Test
    void everyNegativeCaseFailsAsTheFileStates() throws Exception {
        List<JsonObject> negatives = objects(vectors.getJsonArray("negative"));
        assertTrue(negatives.size() >= 50, "negatives: " + negatives.size());
        List<ProtocolVectors.Run> runs = new ArrayList<>();
        for (JsonObject c : objects(vectors.getJsonArray("conversations"))) {
            runs.add(runFromFile(c));
        }
        for (ProtocolVectors.Run run : runs) {
            // The genuine messages pass in the same states: each negative fails because of its tampering.
            VectorNegatives.feed(run, "INIT", run.init);
            VectorNegatives.feed(run, "RESPONSE", run.response);
            VectorNegatives.feed(run, "FINISH", run.finish);
            for (int k = 0; k < run.sealed.size(); k++) {
                VectorNegatives.feed(run, "DATA#" + k, run.sealed.get(k));
            }
        }
        for (JsonObject n : negatives) {
            ProtocolVectors.Run run = runs.stream()
                    .filter(r -> r.script.name().equals(n.getString("conversation"))).findFirst().orElseThrow();
            String what = n.getString("message") + " " + n.getString("field") + ": " + n.getString("tampering");
            Exception e = assertThrows(Exception.class, () -> VectorNegatives.feed(run, n.getString("message"), hex(n, "input")), what);
            assertEquals(n.getString("error"), e.getClass().getSimpleName(), what);
            assertEquals(n.getString("error_message"), e.getMessage(), what);
        }
    }

    /** The messages of a conversation as the file lists them (not as the generator made them). */
    private static ProtocolVectors.Run runFromFile(JsonObject c) {
        ProtocolVectors.Script script = ProtocolVectors.scripts().stream()
                .filter(s -> s.name().equals(c.getString("name"))).findFirst().orElseThrow();
        ProtocolVectors.Run run = new ProtocolVectors.Run(script);
        assertArrayEquals(hex(c.getJsonObject("initiator"), "ephemeral_private_scalar"), run.ephI);
        assertArrayEquals(hex(c.getJsonObject("responder"), "ephemeral_private_scalar"), run.ephR);
        JsonObject h = c.getJsonObject("handshake");
        run.init = hex(h, "INIT");
        run.response = hex(h, "RESPONSE");
        run.finish = hex(h, "FINISH");
        for (JsonObject m : objects(c.getJsonArray("messages"))) {
            run.sealed.add(hex(m, "sealed"));
            run.sealedFromInitiator.add(m.getString("direction").equals("i2r"));
        }
        return run;
    }

    /** Checks one party's keys, session ID, registration and key files; returns its identity point. */
    private static byte[] party(JsonObject p, Path tmp) throws Exception {
        byte[] point = point(hex(p, "identity_private_scalar"));
        assertArrayEquals(point, hex(p, "identity_point"));
        byte[] spki = cat(HEX.parseHex(SPKI_HEADER), point);
        assertArrayEquals(spki, hex(p, "identity_spki"));
        String fp = HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(spki)).replaceAll("(.{4})(?!$)", "$1 ");
        assertEquals(fp, p.getString("fingerprint"));
        byte[] routing = point(hex(p, "routing_private_scalar"));
        assertArrayEquals(routing, hex(p, "routing_public_key"));
        byte[] sid = Arrays.copyOf(MessageDigest.getInstance("SHA-256").digest(routing), 16);
        assertArrayEquals(sid, hex(p, "session_id"));
        JsonObject reg = p.getJsonObject("registration");
        byte[] nonce = hex(reg, "relay_nonce");
        assertArrayEquals(cat(b(1, 0x80), nonce), hex(reg, "challenge"));
        byte[] signed = cat(ascii("secure-relay/register/v1"), nonce, routing);
        assertArrayEquals(signed, hex(reg, "signed_bytes"));
        assertArrayEquals(cat(b(1, 1), routing, sign(hex(p, "routing_private_scalar"), signed)), hex(reg, "register"));
        assertArrayEquals(cat(b(1, 0x81), sid), hex(reg, "registered"));

        // The key files: the exact JSON the client writes, and what it reads back.
        String role = p.getString("role");
        assertEquals(role + "_identity_keys.json", p.getString("identity_key_file_name"));
        String file = p.getString("identity_key_file");
        String pem = "-----BEGIN PUBLIC KEY-----\\n" + String.join("\\n", lines64(spki)) + "\\n-----END PUBLIC KEY-----\\n";
        assertEquals("{\"version\":1,\"role\":\"" + role + "\",\"algorithm\":\"ECDSA P-256\",\"fingerprint\":\"" + fp
                + "\",\"public_key\":\"" + pem + "\",\"private_key\":\"", file.substring(0, file.indexOf("\"private_key\":\"") + 15));
        assertTrue(file.endsWith("-----END PRIVATE KEY-----\\n\"}\n"), file);
        Path f = tmp.resolve(role + "-" + System.nanoTime() + ".json");
        io.securerelay.fuzz.FuzzFiles.writeOwnerOnly(f, file.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        IdentityKeyPair loaded = IdentityKeyFiles.load(f, null);
        assertArrayEquals(point, loaded.publicKey().point(), "the key file holds the listed private key");
        JsonObject peerFile = Json.createReader(new StringReader(p.getString("peer_key_file"))).readObject();
        assertEquals(p.getString("peer_key_file_name"), peerFile.getString("role") + "_public_identity_key.json");
        assertNotNull(peerFile.getString("public_key"));
        assertTrue(p.getString("peer_key_file").startsWith("{\"role\":\"" + peerFile.getString("role")
                + "\",\"public_key\":\"-----BEGIN PUBLIC KEY-----\\n"), p.getString("peer_key_file"));
        return point;
    }

    /** The safety number as docs/PROTOCOL.md states it. */
    static String safetyNumber(byte[] a, byte[] b) throws Exception {
        String[] halves = {digits(a), digits(b)};
        Arrays.sort(halves);
        String all = halves[0] + halves[1];
        return all.replaceAll("(.{5})(?!$)", "$1 ");
    }

    private static String digits(byte[] point) throws Exception {
        MessageDigest sha512 = MessageDigest.getInstance("SHA-512");
        byte[] h = sha512.digest(cat(b(0, 0), point));
        for (int i = 0; i < 5200; i++) {
            h = sha512.digest(cat(h, point));
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 30; i += 5) {
            long v = 0;
            for (int j = 0; j < 5; j++) {
                v = (v << 8) | (h[i + j] & 0xff);
            }
            sb.append(String.format("%05d", v % 100000));
        }
        return sb.toString();
    }

    static int padme(int len) {
        if (len <= 128) {
            return 128;
        }
        int e = 31 - Integer.numberOfLeadingZeros(len);
        int s = 32 - Integer.numberOfLeadingZeros(e);
        int mask = (1 << (e - s)) - 1;
        return (len + mask) & ~mask;
    }

    @Test
    void theSizeTableFollowsPadme() {
        JsonObject sizes = vectors.getJsonObject("sizes");
        for (JsonObject row : objects(sizes.getJsonArray("examples"))) {
            int inner = padme(5 + row.getInt("body_length"));
            assertEquals(inner, row.getInt("inner_length"));
            assertEquals(14 + inner + 16 + 64, row.getInt("data_length"));
        }
        assertEquals(222, sizes.getInt("min_data_length"));
    }

    private static List<String> lines64(byte[] der) {
        String b64 = java.util.Base64.getEncoder().encodeToString(der);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < b64.length(); i += 64) {
            out.add(b64.substring(i, Math.min(b64.length(), i + 64)));
        }
        return out;
    }

    private static byte[] transcript(byte[]... parts) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(ascii("secure-relay e2e v1"));
        md.update((byte) 1);
        for (byte[] p : parts) {
            md.update(p);
        }
        return md.digest();
    }

    private static byte[] sign(byte[] scalar, byte[]... parts) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        for (byte[] p : parts) {
            md.update(p);
        }
        return P256.signDigest(new BigInteger(1, scalar), md.digest());
    }

    private static byte[] point(byte[] scalar) {
        return P256.encodePoint(P256.publicKeyOf(priv(scalar)));
    }

    private static java.security.PrivateKey priv(byte[] scalar) {
        return P256.privateKey(new BigInteger(1, scalar));
    }

    private static List<JsonObject> objects(jakarta.json.JsonArray a) {
        List<JsonObject> out = new ArrayList<>();
        for (JsonValue v : a) {
            out.add(v.asJsonObject());
        }
        return out;
    }

    private static byte[] hex(JsonObject o, String name) {
        return HEX.parseHex(o.getString(name));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] b(int... v) {
        byte[] out = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = (byte) v[i];
        }
        return out;
    }

    private static byte[] cat(byte[]... parts) {
        return io.securerelay.protocol.internal.Wire.concat(parts);
    }
}
