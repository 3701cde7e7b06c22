package io.securerelay.relay.payara6;

import jakarta.servlet.http.WebConnection;
import java.lang.reflect.Field;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Lets go of the TLS output buffer Grizzly keeps on every connection after it last wrote to it.
 *
 * <p>Grizzly (4.0, as shipped in Payara 6) encrypts each write into a buffer of one and a half to
 * two TLS packets (25,063 or 33,418 bytes) and remembers it in the connection's
 * {@code SSLConnectionContext.lastOutputBuffer}, in case the write has to be queued and copied.
 * When the write goes straight to the socket, nothing clears that reference, and the buffer is not
 * given back to Grizzly's per-thread cache either: it stays reachable from the connection until
 * the connection's next write. A relay's connections are idle most of the time, and the relay's
 * keep-alive pings every silent one from its timer thread, so after one keep-alive round almost
 * every connection holds such a buffer: measured, 41.5 KiB of heap per idle connection right after
 * opening, 60.9 KiB once each had been pinged (3,000 connections; docs/BENCHMARKS.md).
 *
 * <p>{@link #forConnection} finds the Grizzly connection behind the servlet upgrade's
 * {@code WebConnection} (the request it came with), once per connection; {@link Handle#release} then clears the field while holding the
 * connection's monitor, which is the lock Grizzly's TLS filter holds while it wraps, writes and
 * (when it has to queue) copies that buffer, so a write in progress is never disturbed. The buffer itself is not
 * touched: a queued write may still own it, and the garbage collector takes it once nobody does.
 * Everything is reflection on private fields of Payara and Grizzly: if one of them changes,
 * the relay logs one warning and keeps working, with the memory cost above.
 */
public final class GrizzlyTlsBuffers {

    private static final Logger LOG = Logger.getLogger(GrizzlyTlsBuffers.class.getName());
    private static final LongAdder RELEASED = new LongAdder();
    private static volatile boolean warned;

    /** Clears the kept buffer of one connection; does nothing where it could not be found. */
    public interface Handle {
        void release();
    }

    /** For sessions whose Grizzly connection could not be found. */
    public static final Handle NONE = () -> { };

    private GrizzlyTlsBuffers() {
    }

    /** Buffers let go of since the relay started (the {@code relay_tls_buffers_released} gauge). */
    public static long released() {
        return RELEASED.sum();
    }

    /**
     * The handle of the TLS connection under {@code webConnection} (the container's own upgraded
     * connection, Payara's {@code WebConnectionImpl}), or {@link #NONE} (with one warning, or none
     * where the Grizzly version is not the tested one).
     */
    public static Handle forConnection(WebConnection webConnection) {
        try {
            Object servletRequest = Reflect.field(webConnection, "request");
            Object grizzlyRequest = Reflect.field(servletRequest, "coyoteRequest");
            Object requestPacket = Reflect.call(grizzlyRequest, "getRequest");
            Object connection = Reflect.call(requestPacket, "getConnection");
            if (!ContainerHooks.allowed(ContainerHooks.Hook.GRIZZLY_TLS_BUFFERS, connection.getClass())) {
                return NONE;
            }
            ClassLoader grizzly = connection.getClass().getClassLoader();
            Class<?> sslUtils = Class.forName("org.glassfish.grizzly.ssl.SSLUtils", false, grizzly);
            Class<?> connectionType = Class.forName("org.glassfish.grizzly.Connection", false, grizzly);
            Object sslContext = Reflect.staticCall(sslUtils, "getSslConnectionContext", connectionType, connection);
            if (sslContext == null) {
                return NONE; // not a TLS connection: nothing kept
            }
            Field last = Reflect.declared(sslContext.getClass(), "lastOutputBuffer");
            ContainerHooks.worked(ContainerHooks.Hook.GRIZZLY_TLS_BUFFERS);
            return () -> {
                // Never throws: it runs inside the keep-alive's periodic task, which an exception
                // would stop for good.
                synchronized (connection) {
                    try {
                        if (last.get(sslContext) != null) {
                            last.set(sslContext, null);
                            RELEASED.increment();
                        }
                    } catch (IllegalAccessException | RuntimeException e) {
                        LOG.log(Level.FINE, "could not let go of a kept TLS buffer: {0}", e.toString());
                    }
                }
            };
        } catch (ReflectiveOperationException | RuntimeException e) {
            ContainerHooks.fellBack(ContainerHooks.Hook.GRIZZLY_TLS_BUFFERS);
            if (!warned) {
                warned = true;
                LOG.log(Level.WARNING, "cannot reach Grizzly''s TLS buffers of a WebSocket connection ({0}): idle "
                        + "connections will keep about 25 KiB more heap each", e.toString());
            }
            return NONE;
        }
    }
}
