package io.securerelay.protocol;

import io.securerelay.protocol.relay.SessionId;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.securerelay.identity.Fingerprints;
import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.InMemoryPeerTrustStore;
import io.securerelay.protocol.TestSupport.DeterministicRandom;
import io.securerelay.protocol.TestSupport.FakeClock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * A deterministic run (seeded randomness, fixed session IDs and clock) whose bytes are the worked
 * example of docs/PROTOCOL.md (Part 2); written to target/protocol-example.txt.
 */
class WorkedExampleTest {

    static String run() throws Exception {
        DeterministicRandom random = new DeterministicRandom("secure-relay worked example");
        IdentityKeyPair bank = IdentityKeyPair.generate(random);
        IdentityKeyPair customer = IdentityKeyPair.generate(random);
        SessionId sidI = SessionId.parse("000102030405060708090a0b0c0d0e0f");
        SessionId sidR = SessionId.parse("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
        FakeClock clock = new FakeClock();
        InitiatorHandshake i = Handshake.initiator(customer, sidI, sidR, new InMemoryPeerTrustStore("bank"),
                SessionPolicy.DEFAULT, clock, random);
        ResponderHandshake r = Handshake.responder(bank, sidR, sidI, new InMemoryPeerTrustStore("customer"),
                SessionPolicy.DEFAULT, clock, random);
        byte[] init = i.createInit();
        byte[] response = r.receiveInit(init);
        byte[] finish = i.receiveResponse(response);
        r.receiveFinish(finish);
        SecureSession si = i.session();
        SecureSession sr = r.session();
        byte[] data = si.seal(MessageKind.TEXT, "hello".getBytes(StandardCharsets.UTF_8));
        assertEquals("hello", new String(sr.open(data).body(), StandardCharsets.UTF_8));
        HexFormat hex = HexFormat.of();
        StringBuilder sb = new StringBuilder();
        sb.append("initiator (customer) identity point: ").append(hex.formatHex(customer.publicKey().point())).append('\n');
        sb.append("responder (bank) identity point:     ").append(hex.formatHex(bank.publicKey().point())).append('\n');
        sb.append("customer fingerprint: ").append(customer.publicKey().fingerprint()).append('\n');
        sb.append("bank fingerprint:     ").append(bank.publicKey().fingerprint()).append('\n');
        sb.append("safety number: ").append(Fingerprints.safetyNumber(bank.publicKey(), customer.publicKey())).append('\n');
        sb.append("INIT (").append(init.length).append(" B): ").append(hex.formatHex(init)).append('\n');
        sb.append("RESPONSE (").append(response.length).append(" B): ").append(hex.formatHex(response)).append('\n');
        sb.append("FINISH (").append(finish.length).append(" B): ").append(hex.formatHex(finish)).append('\n');
        sb.append("THF: ").append(hex.formatHex(si.transcriptHash())).append('\n');
        sb.append("DATA seq 0 TEXT \"hello\" (").append(data.length).append(" B): ").append(hex.formatHex(data)).append('\n');
        return sb.toString();
    }

    @Test
    void deterministicRunIsReproducibleAndIsWrittenForTheProtocolDoc() throws Exception {
        String a = run();
        assertEquals(a, run(), "seeded run must be byte-for-byte reproducible");
        Path out = Paths.get("target", "protocol-example.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, a);
    }
}
