package io.securerelay.client.internal;

import io.securerelay.protocol.relay.SessionId;
import java.util.ArrayList;
import java.util.List;

/** {@link ConversationEvents} written down as short lines, for tests that assert on what was reported. */
final class RecordingEvents implements ConversationEvents {

    final List<String> lines = new ArrayList<>();

    /** The lines that start with {@code prefix}. */
    List<String> starting(String prefix) {
        return lines.stream().filter(l -> l.startsWith(prefix)).toList();
    }

    @Override
    public void sessionId(SessionId id, boolean peerKnown) {
        lines.add("session " + id.toHex());
    }

    @Override
    public void connected(String relay) {
        lines.add("connected " + relay);
    }

    @Override
    public void reconnecting(RelayLink.ClosedBy closedBy, String why, long retryMillis, int queued) {
        lines.add("reconnecting queued=" + queued);
    }

    @Override
    public void trustedFirstUse(String fingerprint) {
        lines.add("trusted " + fingerprint);
    }

    @Override
    public void secure(SessionId peer, String fingerprint, String safetyNumber, boolean firstThisRun) {
        lines.add("secure " + peer.toHex());
    }

    @Override
    public void received(long number, long sentAtMillis, String text) {
        lines.add("received " + number + " " + text);
    }

    @Override
    public void queued(long number, boolean willSendNow) {
        lines.add("queued " + number + (willSendNow ? "" : " later"));
    }

    @Override
    public void acked(long upTo) {
        lines.add("acked " + upTo);
    }

    @Override
    public void info(String sentence) {
        lines.add("info " + sentence);
    }

    @Override
    public void rejected(Rejections.Kind kind, String from, String dropped, int bytes, String sentence) {
        lines.add("rejected " + kind.code() + " " + dropped);
    }

    @Override
    public void problem(String code, String sentence) {
        lines.add("problem " + code + " " + sentence);
    }

    @Override
    public void done(long sent, long received, long rejected) {
        lines.add("done " + sent + " " + received + " " + rejected);
    }

    @Override
    public void close() {
        lines.add("close");
    }
}
