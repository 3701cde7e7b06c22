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
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;

/**
 * The responder side: {@link #receiveInit(byte[])} checks the initiator's identity (carried and
 * signed in INIT) and returns RESPONSE; {@link #receiveFinish(byte[])} completes.
 */
public final class ResponderHandshake extends Handshake {
    private byte[] eI;
    private byte[] eR;
    private byte[] idR;
    private byte[] idI;
    private IdentityPublicKey initiatorIdentity;
    private SecretBytes kcI;

    ResponderHandshake(IdentityKeyPair identity, SessionId localId, SessionId peerId, PeerTrustStore trust,
            SessionPolicy policy, Clock clock, SecureRandom random) {
        super(identity, localId, peerId, trust, policy, clock, random);
    }

    @Override
    public Role role() {
        return Role.RESPONDER;
    }

    /**
     * Consumes INIT and produces RESPONSE (our ephemeral key, our identity key, our signature over
     * the transcript, our key-confirmation MAC). Before answering it verifies the initiator's INIT
     * signature and checks the initiator's identity against the trust store without storing it
     * (trust on first use happens only when the handshake completes).
     * @return the RESPONSE message
     * @throws HandshakeException malformed/unexpected message, wrong version or session IDs, invalid point, timeout
     * @throws AuthenticationFailedException the INIT signature was not made by the identity key INIT carries
     * @throws UntrustedIdentityException the initiator's identity differs from the stored one (carries both
     *         fingerprints and the presented key)
     * @throws KeyFileException the trust store could not be read
     * @throws IllegalStateException unless READY
     */
    public byte[] receiveInit(byte[] init)
            throws HandshakeException, AuthenticationFailedException, UntrustedIdentityException, KeyFileException {
        expect(State.READY);
        return guarded(() -> {
            checkDeadline();
            Wire.Init m = Wire.parseInit(init);
            // The INIT comes from the peer: its initiator ID is the peer's, its responder ID ours.
            if (!Wire.sameId(m.sidI(), peerId) || !Wire.sameId(m.sidR(), localId)) {
                throw new HandshakeException("INIT carries the session IDs of another connection");
            }
            ECPublicKey peerEph;
            IdentityPublicKey peerIdentity;
            try {
                peerEph = P256.decodePoint(m.eI());
            } catch (InvalidPublicKeyException e) {
                throw new HandshakeException("INIT has an invalid ephemeral public key");
            }
            try {
                peerIdentity = IdentityPublicKey.fromPoint(m.idI());
            } catch (InvalidPublicKeyException e) {
                throw new HandshakeException("INIT has an invalid identity public key");
            }
            byte[] sidI = peerId.toBytes();
            byte[] sidR = localId.toBytes();
            byte[] thI = KeySchedule.transcript(sidI, sidR, m.eI(), m.idI());
            try {
                P256.verify(peerIdentity.jcaKey(), m.sig(), KeySchedule.SIG_INIT, thI);
            } catch (AuthenticationFailedException e) {
                throw notFrom(peerIdentity, "INIT");
            }
            trust.check(peerIdentity); // refuses a changed key now; stores nothing
            KeyPair eph = P256.generateKeyPair(random);
            eI = m.eI();
            idI = m.idI();
            initiatorIdentity = peerIdentity;
            eR = P256.encodePoint(eph.getPublic());
            idR = identity.publicKey().point();
            byte[] th0 = KeySchedule.transcript(sidI, sidR, eI, eR);
            byte[] ss = P256.ecdh(eph.getPrivate(), peerEph);
            eph = null; // ephemeral private key dropped after its single use
            byte[] p = Hkdf.extract(th0, ss);
            zero(ss);
            prk = SecretBytes.wrap(p);
            byte[] kcR = Hkdf.expand(p, KeySchedule.CONFIRM_R, 32);
            kcI = SecretBytes.wrap(Hkdf.expand(p, KeySchedule.CONFIRM_I, 32));
            byte[] thR = KeySchedule.transcript(sidI, sidR, eI, eR, idR);
            byte[] sig = identity.sign(KeySchedule.SIG_R, thR);
            byte[] mac = HmacSha256.compute(kcR, KeySchedule.MAC_R, thR);
            zero(kcR);
            state = State.AWAITING_FINISH;
            return Wire.encodeResponse(new Wire.Response(sidI, sidR, eR, idR, sig, mac));
        });
    }

    /**
     * Verifies FINISH against the initiator identity received in INIT; on return the handshake is
     * COMPLETE and the peer's key trusted (first use) or matched.
     * @throws HandshakeException malformed/unexpected message, wrong version or session IDs, timeout
     * @throws AuthenticationFailedException the initiator's signature or key-confirmation MAC is wrong
     * @throws UntrustedIdentityException the initiator's identity differs from the stored one (if the
     *         store changed since INIT)
     * @throws KeyFileException the trust store could not be read or written
     * @throws IllegalStateException unless AWAITING_FINISH
     */
    public void receiveFinish(byte[] finish)
            throws HandshakeException, AuthenticationFailedException, UntrustedIdentityException, KeyFileException {
        expect(State.AWAITING_FINISH);
        guarded(() -> {
            checkDeadline();
            Wire.Finish f = Wire.parseFinish(finish);
            if (!Wire.sameId(f.sidI(), peerId) || !Wire.sameId(f.sidR(), localId)) {
                throw new HandshakeException("FINISH carries the session IDs of another connection");
            }
            byte[] thF = KeySchedule.transcript(peerId.toBytes(), localId.toBytes(), eI, eR, idR, idI);
            byte[] k = kcI.toByteArray();
            try {
                P256.verify(initiatorIdentity.jcaKey(), f.sig(), KeySchedule.SIG_I, thF);
                HmacSha256.verify(k, f.mac(), KeySchedule.MAC_I, thF);
            } catch (AuthenticationFailedException e) {
                throw notFrom(initiatorIdentity, "FINISH");
            } finally {
                zero(k);
            }
            trust.check(initiatorIdentity);
            session = buildSession(thF, initiatorIdentity);
            trustResult = trust.trust(initiatorIdentity);
            wipe();
            state = State.COMPLETE;
            return null;
        });
    }

    @Override
    void wipeSubclass() {
        if (kcI != null) {
            kcI.destroy();
            kcI = null;
        }
    }
}
