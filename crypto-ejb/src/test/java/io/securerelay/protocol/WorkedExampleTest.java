package io.securerelay.protocol;

import io.securerelay.protocol.relay.SessionId;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

    /** The message bytes printed in docs/PROTOCOL.md (Part 2, worked example): the wire format is pinned. */
    static final String PINNED = """
            INIT (228 B): 0101000102030405060708090a0b0c0d0e0ff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff0440bfbdc0438b43e5f3eb54f5998e60140e35a07ac6586854e725ede07ac9802c7d3b54455904411d597e078057e7f8a9ec3d0a227d1c1a867d85a2715618560304f813e9736acab973c09c5eb154ccdf8f41cfa71fbcbdeec4d66908a7d5d0a56ef6310ace59a279f892cc024e89eb5aabc48bde0c76afc7a889f8dfdea41783a0a6aa1ec4ff605b43544157901c5549eab9126c5a2a4c8c4c61b0820efcb6c591560fb9651fc9d2b1bd3c44285ea0a5e593ef29d5cac6d98455bb9715b404091c
            RESPONSE (260 B): 0102000102030405060708090a0b0c0d0e0ff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff0408fb783e5020f0b2db5e07319f3f51b083bebf009d1bd5b65b3493c69dd792fb0e29c6b385eeb9438b87bae305083a52ea01b935a2067cc4c9fc32a175bbb6d404fd6c5dc48bb777449dec75e1e14bcedc931c4c34b3aaedc42bd21b468942ced4cc74e18e0d2af488fca9e69a6c1caacf8e27141588b7956c0b904ded2d34db507b13d2c54a352ea6c00b49ab4edef7432188fe965756a76e76ea7d18622b2d2ce710bccf941ccad95cf0335ea9c3fabeb3e6dae6edd51a14927d4affed1edea98288141688546b0d687d02bc6c7948baf7012bfa8884fed4afab0eb69dcafe50
            FINISH (130 B): 0103000102030405060708090a0b0c0d0e0ff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff14defd576c6a561ff8b5c75df2fbec53c150898c7ff3b7e23f800165739db6c1ece8725e01b5447b14ccddae2769a80acead828b119f094e4dbf8d5b808fec72c63cacd85564aeab4f22a1e9ff551dd1922cc3c7a6c5f885d031dd54ad9c14d7
            THF: 308fc5d0b1a0cc5cd540054a2b944e92fb9ed32a9107b971cf48f12ab4c3a136
            DATA seq 0 TEXT "hello" (222 B): 01100000000000000000000000002192c68b1d727f7529b6469ea67409e93cc1a0cdb160675a2896c77e7158f6f214979fef16138c26ff649c193bff12e43b3a302c09780ad16cccd0aeb257a00845623cdf9bb6ccc7cf3fa6accd9c2791961130a25c88553e0caef64d4f006c937e9120a1019921352e4cbb91216e5c85a3122faebffb11fd7ef7dcf84ca26b5e4bf25ddfeeb5bb6aa70f0c4c3461d09f28540be48b512ceba68741f0e0a3695e112ba0925df9761475cb453fe1f6982b0adb2261273745b7701c5c29d938492585991cad48e2e1f93c08c0e9a9900aa3
            """;

    @Test
    void deterministicRunIsReproducibleAndIsWrittenForTheProtocolDoc() throws Exception {
        String a = run();
        assertEquals(a, run(), "seeded run must be byte-for-byte reproducible");
        for (String line : PINNED.strip().split("\n")) {
            assertTrue(a.contains(line.strip() + "\n"), "worked example differs from docs/PROTOCOL.md: " + line.strip());
        }
        Path out = Paths.get("target", "protocol-example.txt");
        Files.createDirectories(out.getParent());
        Files.writeString(out, a);
    }
}
