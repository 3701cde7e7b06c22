package io.securerelay.relay.endpoint;

import jakarta.websocket.Session;
import java.lang.reflect.Method;

/**
 * The remote IP address of a WebSocket session. The WebSocket API has none; Tyrus (the container
 * of Payara and GlassFish) has the public method {@code TyrusSession.getRemoteAddr()}, filled from
 * the upgrade request's {@code ServletRequest.getRemoteAddr()}. It is called reflectively so the
 * WAR does not depend on Tyrus at compile time; on another container the address is unknown
 * ({@code null}) and the per-address cap does not apply. Behind a reverse proxy this is the
 * proxy's address. See docs/PAYARA-NOTES.md.
 */
final class RemoteAddress {

    private RemoteAddress() {
    }

    /** The remote IP address, or {@code null} if the container does not tell. */
    static String of(Session session) {
        try {
            Method m = session.getClass().getMethod("getRemoteAddr");
            Object address = m.invoke(session);
            return address instanceof String s && !s.isEmpty() ? s : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }
}
