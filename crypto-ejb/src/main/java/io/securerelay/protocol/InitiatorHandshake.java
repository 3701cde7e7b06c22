package io.securerelay.protocol;

import io.securerelay.protocol.relay.SessionId;

import io.securerelay.crypto.AuthenticationFailedException;
import io.securerelay.crypto.Hkdf;
import io.securerelay.crypto.HmacSha256;
import io.securerelay.crypto.InvalidPublicKeyException;
import io.securerelay.crypto.P256;
import io.securerelay.crypto.SecretBytes;
import io.securerelay.identity.IdentityKeyPair;
import io.securerelay.identity.IdentityPublicKey;
import io.securerelay.identity.KeyFileException;
import io.securerelay.identity.PeerTrustStore;
import io.securerelay.identity.UntrustedIdentityException;
import io.securerelay.protocol.internal.KeySchedule;
import io.securerelay.protocol.internal.Wire;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;

/**
 * The initiator side: {@link #createInit()} (INIT reveals and proves our identity), then
 * {@link #receiveResponse(byte[])}, which checks the responder's identity and returns FINISH.
 */
public final class InitiatorHandshake extends Handshake {
    private PrivateKey ephemeralPrivate;
    private byte[] ephemeralPublic;

    InitiatorHandshake(IdentityKeyPair identity, SessionId localId, SessionId peerId, PeerTrustStore trust,
            SessionPolicy policy, Clock clock, SecureRandom random) {
        super(identity, localId, peerId, trust, policy, clock, random);
    }

    @Override
    public Role role() {
        return Role.INITIATOR;
    }

    /**
     * Creates INIT: our ephemeral public key and our identity key, signed with the identity key over
     * THI (so the responder can refuse a changed initiator key at once, before it answers).
     * @return the INIT message (version, type, both session IDs, ephemeral key, identity key, signature)
     * @throws IllegalStateException unless READY
     */
    public byte[] createInit() {
        expect(State.READY);
        KeyPair eph = P256.generateKeyPair(random);
        byte[] sidI = localId.toBytes();
        byte[] sidR = peerId.toBytes();
        byte[] eI = P256.encodePoint(eph.getPublic());
        byte[] idI = identity.publicKey().point();
        byte[] sig = identity.sign(KeySchedule.SIG_INIT, KeySchedule.transcript(sidI, sidR, eI, idI));
        ephemeralPrivate = eph.getPrivate();
        ephemeralPublic = eI;
        state = State.AWAITING_RESPONSE;
        return Wire.encodeInit(new Wire.Init(sidI, sidR, eI.clone(), idI, sig));
    }

    /**
     * Verifies the responder's RESPONSE and answers with FINISH. On return the handshake is COMPLETE
     * and the peer's key has been trusted (first use) or matched.
     * @return the FINISH message
     * @throws HandshakeException malformed/unexpected message, wrong version or session IDs, invalid point, timeout
     * @throws AuthenticationFailedException the responder's signature or key-confirmation MAC is wrong
     * @throws UntrustedIdentityException the responder's identity differs from the stored one
     * @throws KeyFileException the trust store could not be read or written
     * @throws IllegalStateException unless AWAITING_RESPONSE
     */
    public byte[] receiveResponse(byte[] response)
            throws HandshakeException, AuthenticationFailedException, UntrustedIdentityException, KeyFileException {
        expect(State.AWAITING_RESPONSE);
        return guarded(() -> {
            checkDeadline();
            Wire.Response r = Wire.parseResponse(response);
            if (!Wire.sameId(r.sidI(), localId) || !Wire.sameId(r.sidR(), peerId)) {
                throw new HandshakeException("RESPONSE carries the session IDs of another connection");
            }
            ECPublicKey eR;
            IdentityPublicKey idR;
            try {
                eR = P256.decodePoint(r.eR());
            } catch (InvalidPublicKeyException e) {
                throw new HandshakeException("RESPONSE has an invalid ephemeral public key");
            }
            try {
                idR = IdentityPublicKey.fromPoint(r.idR());
            } catch (InvalidPublicKeyException e) {
                throw new HandshakeException("RESPONSE has an invalid identity public key");
            }
            byte[] sidI = localId.toBytes();
            byte[] sidR = peerId.toBytes();
            byte[] th0 = KeySchedule.transcript(sidI, sidR, ephemeralPublic, r.eR());
            byte[] ss = P256.ecdh(ephemeralPrivate, eR);
            ephemeralPrivate = null; // single use: dropped (JCA EC keys cannot be destroyed in place)
            byte[] p = Hkdf.extract(th0, ss);
            zero(ss);
            prk = SecretBytes.wrap(p);
            byte[] kcR = Hkdf.expand(p, KeySchedule.CONFIRM_R, 32);
            byte[] kcI = Hkdf.expand(p, KeySchedule.CONFIRM_I, 32);
            try {
                byte[] thR = KeySchedule.transcript(sidI, sidR, ephemeralPublic, r.eR(), r.idR());
                try {
                    P256.verify(idR.jcaKey(), r.sig(), KeySchedule.SIG_R, thR);
                    HmacSha256.verify(kcR, r.mac(), KeySchedule.MAC_R, thR);
                } catch (AuthenticationFailedException e) {
                    throw notFrom(idR, "RESPONSE");
                }
                trust.check(idR);
                byte[] idI = identity.publicKey().point();
                byte[] thF = KeySchedule.transcript(sidI, sidR, ephemeralPublic, r.eR(), r.idR(), idI);
                byte[] sigI = identity.sign(KeySchedule.SIG_I, thF);
                byte[] macI = HmacSha256.compute(kcI, KeySchedule.MAC_I, thF);
                session = buildSession(thF, idR);
                trustResult = trust.trust(idR);
                wipe();
                state = State.COMPLETE;
                return Wire.encodeFinish(new Wire.Finish(sidI, sidR, sigI, macI));
            } finally {
                zero(kcR);
                zero(kcI);
            }
        });
    }

    @Override
    void wipeSubclass() {
        ephemeralPrivate = null;
    }
}
