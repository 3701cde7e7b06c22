package io.securerelay.relay;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.websocket.Session;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Two changes to Tyrus' path of every frame, per connection: batched flushes and fast unmasking.
 *
 * <p><b>Batched flushes.</b> Tyrus writes every WebSocket frame through the servlet upgrade's
 * output stream as {@code write} + {@code flush}, and each flush goes down Grizzly's filter chain:
 * a TLS record of its own ({@code SSLEngine.wrap} under the engine's lock) and a socket write. A
 * client that sends fast sends many frames per TLS record (16 KiB), so one read of its connection
 * hands the relay a dozen frames, each forwarded at once with its own flush. Here, while a relay
 * worker thread is inside one read (Tyrus' {@code ReadHandler.handle} of one buffer of input), the
 * flushes of the connections it writes to are deferred; when that read has been handled, each such
 * connection is flushed once, the way a busy Node or Netty server coalesces its writes. Frames
 * still leave in order (the bytes were written to the stream in order, only the flush is later),
 * and no later than the end of the read that produced them: no timer, no other thread, no waiting
 * for more input. A write from any other thread (keep-alive pings, the cluster's deliveries)
 * flushes at once, as before.
 *
 * <p><b>Fast unmasking.</b> Tyrus unmasks a client frame one byte at a time with a memory fence
 * per byte ({@link ClientFrameUnmasker} has the numbers); the read handler's proxy hands Tyrus the
 * frames already unmasked, eight bytes at a time. It starts at the first read after which Tyrus
 * holds no partial frame (in practice the read after REGISTER), so both always agree on where a
 * frame starts.
 *
 * <p>Both are reflection on private fields of Tyrus 2.1 as shipped in Payara 6: {@link #install}
 * (at open) puts a {@link DeferringStream} between Tyrus' servlet writer and the servlet output
 * stream, and {@link Handle#hookReads} (at the connection's first message: Tyrus makes its read
 * handler only after {@code @OnOpen}) puts a proxy in front of the read handler. If anything is not
 * where it is expected, the relay logs one warning and works as Tyrus does by itself.
 */
final class TyrusFastPath {

    private static final Logger LOG = Logger.getLogger(TyrusFastPath.class.getName());
    private static final LongAdder DEFERRED = new LongAdder();
    private static final LongAdder FLUSHES = new LongAdder();
    private static final ThreadLocal<Batch> BATCH = ThreadLocal.withInitial(Batch::new);
    private static final LongAdder UNMASKED_READS = new LongAdder();
    private static volatile boolean warned;

    /** What is left to do for a connection once its first message arrived. */
    interface Handle {
        /** Puts the proxy in front of the connection's read handler; idempotent, call from the reading thread. */
        void hookReads();
    }

    /** For connections where nothing could be set up (or both changes are turned off). */
    static final Handle NONE = () -> { };

    private TyrusFastPath() {
    }

    /** Flushes deferred to the end of a read since start (the {@code relay_flushes_deferred} gauge). */
    static long deferred() {
        return DEFERRED.sum();
    }

    /** Deferred flushes done at the end of reads since start ({@code relay_flushes_batched}). */
    static long batchedFlushes() {
        return FLUSHES.sum();
    }

    /** Reads whose frames the relay unmasked before Tyrus since start ({@code relay_reads_unmasked}). */
    static long unmaskedReads() {
        return UNMASKED_READS.sum();
    }

    /**
     * Sets up the connection of {@code session}; call from {@code @OnOpen}, before the relay writes
     * anything to it. {@code batchFlushes} puts the deferring stream under Tyrus' writer now;
     * either option makes {@link Handle#hookReads} put the read handler's proxy in place later.
     */
    static Handle install(Session session, boolean batchFlushes, boolean unmask) {
        if (!batchFlushes && !unmask) {
            return NONE;
        }
        try {
            Object writer = Reflect.tyrusServletWriter(session);
            Object upgradeProxy = Reflect.field(writer, "tyrusHttpUpgradeHandler");
            if (batchFlushes) {
                Field streamField = Reflect.declared(writer.getClass(), "servletOutputStream");
                if (!ServletOutputStream.class.isAssignableFrom(streamField.getType())) {
                    throw new NoSuchFieldException("servletOutputStream is a " + streamField.getType().getName());
                }
                AtomicBoolean closed = connectionClosedFlag(upgradeProxy);
                synchronized (writer) { // the writer's own monitor: Tyrus sets the field under it
                    Object stream = streamField.get(writer);
                    if (stream == null) {
                        Object webConnection = Reflect.containerWebConnection(upgradeProxy);
                        stream = Reflect.call(webConnection, "getOutputStream");
                    }
                    if (!(stream instanceof DeferringStream)) {
                        streamField.set(writer, new DeferringStream((ServletOutputStream) stream, writer, closed));
                    }
                }
            }
            ContainerHooks.worked(ContainerHooks.Hook.TYRUS_FAST_PATH);
            return new ReadHook(upgradeProxy, batchFlushes, unmask);
        } catch (ReflectiveOperationException | RuntimeException e) {
            warnOnce(e);
            return NONE;
        }
    }

    /**
     * The {@code isClosed} flag of the upgrade's servlet connection (Payara's
     * {@code WebConnectionImpl}), set when the connection is closed; null if it is not there (the
     * deferred flush then tries, and a closed stream throws, as before).
     */
    private static AtomicBoolean connectionClosedFlag(Object upgradeProxy) {
        try {
            Object webConnection = Reflect.containerWebConnection(upgradeProxy);
            return Reflect.field(webConnection, "isClosed") instanceof AtomicBoolean flag ? flag : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    private static void warnOnce(Exception e) {
        ContainerHooks.fellBack(ContainerHooks.Hook.TYRUS_FAST_PATH);
        if (!warned) {
            warned = true;
            LOG.log(Level.WARNING, "cannot set up the fast path of a WebSocket connection ({0}): its frames are "
                    + "unmasked and flushed one by one, by Tyrus", e.toString());
        }
    }

    /** Puts the proxy in front of the connection's read handler, once. */
    private static final class ReadHook implements Handle {
        private final Object upgradeProxy;
        private final boolean batchFlushes;
        private final boolean unmask;
        private boolean done;

        ReadHook(Object upgradeProxy, boolean batchFlushes, boolean unmask) {
            this.upgradeProxy = upgradeProxy;
            this.batchFlushes = batchFlushes;
            this.unmask = unmask;
        }

        @Override
        public void hookReads() {
            if (done) {
                return;
            }
            done = true;
            try {
                // Tyrus' servlet upgrade hands the container a proxy whose "handler" is the real one.
                Object handler = Reflect.declaredOrNull(upgradeProxy.getClass(), "handler") == null
                        ? upgradeProxy : Reflect.field(upgradeProxy, "handler");
                Field connectionField = Reflect.declared(handler.getClass(), "connection");
                Class<?> connectionType = connectionField.getType();
                Method getReadHandler = connectionType.getMethod("getReadHandler");
                Class<?> readHandlerType = getReadHandler.getReturnType();
                if (!connectionType.isInterface() || !readHandlerType.isInterface()) {
                    throw new NoSuchMethodException("Connection and ReadHandler are not interfaces");
                }
                // Only the reading thread (this one, inside a read) replaces and reads this field.
                Object connection = connectionField.get(handler);
                if (connection == null || Proxy.isProxyClass(connection.getClass())) {
                    return;
                }
                Object readHandler = getReadHandler.invoke(connection);
                FrameBoundary boundary = unmask ? FrameBoundary.of(readHandler) : null;
                Object reader = Proxy.newProxyInstance(readHandlerType.getClassLoader(),
                        new Class<?>[] {readHandlerType}, new Reader(readHandler, batchFlushes, boundary));
                Object wrapped = Proxy.newProxyInstance(connectionType.getClassLoader(),
                        new Class<?>[] {connectionType}, new WithReadHandler(connection, getReadHandler, reader));
                connectionField.set(handler, wrapped);
            } catch (ReflectiveOperationException | RuntimeException e) {
                warnOnce(e);
            }
        }
    }

    /**
     * Whether Tyrus' read handler holds no part of a frame: its leftover buffer is empty and its
     * parser is at the start of a frame. Unmasking may only start there.
     */
    private record FrameBoundary(Object readHandler, Field leftover, AtomicInteger parserState) {

        static FrameBoundary of(Object readHandler) throws ReflectiveOperationException {
            Field leftover = Reflect.declared(readHandler.getClass(), "buffer");
            if (!ByteBuffer.class.isAssignableFrom(leftover.getType())) {
                throw new NoSuchFieldException("buffer is a " + leftover.getType().getName());
            }
            Object protocolHandler = Reflect.field(readHandler, "protocolHandler");
            Object parsingState = Reflect.field(protocolHandler, "parsingState");
            if (!(Reflect.field(parsingState, "state") instanceof AtomicInteger state)) {
                throw new NoSuchFieldException("parsingState.state is not an AtomicInteger");
            }
            return new FrameBoundary(readHandler, leftover, state);
        }

        boolean atBoundary() throws IllegalAccessException {
            ByteBuffer left = (ByteBuffer) leftover.get(readHandler);
            return (left == null || !left.hasRemaining()) && parserState.get() == 0;
        }
    }

    /** Tyrus' {@code Connection}, except that {@code getReadHandler} answers the proxy. */
    private static final class WithReadHandler implements InvocationHandler {
        private final Object connection;
        private final Method getReadHandler;
        private final Object readHandler;

        WithReadHandler(Object connection, Method getReadHandler, Object readHandler) {
            this.connection = connection;
            this.getReadHandler = getReadHandler;
            this.readHandler = readHandler;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getName().equals(getReadHandler.getName()) && method.getParameterCount() == 0) {
                return readHandler;
            }
            return Reflect.invoke(method, connection, args);
        }
    }

    /**
     * Tyrus' {@code ReadHandler}: each {@code handle(buffer)} is one batch of flushes, and its
     * frames are unmasked first once the stream is at a frame boundary. Only the connection's
     * reading thread calls it (the container reads one connection on one thread at a time).
     */
    private static final class Reader implements InvocationHandler {
        private final Object readHandler;
        private final boolean batchFlushes;
        /** Null: unmasking is off (or stopped after an error). */
        private FrameBoundary boundary;
        /** Set once the stream was at a frame boundary; from then on every read is unmasked. */
        private ClientFrameUnmasker unmasker;

        Reader(Object readHandler, boolean batchFlushes, FrameBoundary boundary) {
            this.readHandler = readHandler;
            this.batchFlushes = batchFlushes;
            this.boundary = boundary;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (!method.getName().equals("handle") || args == null || args.length != 1
                    || !(args[0] instanceof ByteBuffer input)) {
                return Reflect.invoke(method, readHandler, args);
            }
            ByteBuffer data = unmask(input);
            if (!batchFlushes) {
                return Reflect.invoke(method, readHandler, new Object[] {data});
            }
            Batch batch = BATCH.get();
            batch.depth++;
            try {
                return Reflect.invoke(method, readHandler, new Object[] {data});
            } finally {
                if (--batch.depth == 0) {
                    batch.flushAll();
                }
            }
        }

        private ByteBuffer unmask(ByteBuffer input) {
            if (unmasker == null && boundary != null) {
                try {
                    if (boundary.atBoundary()) {
                        unmasker = new ClientFrameUnmasker();
                    }
                } catch (IllegalAccessException | RuntimeException e) {
                    boundary = null;
                    warnOnce(e);
                }
            }
            if (unmasker == null) {
                return input;
            }
            UNMASKED_READS.increment();
            return unmasker.transform(input);
        }
    }

    /**
     * Runs {@code writes} as if they were caused by one read: the flushes of the connections they
     * write to wait until it returns, then each is flushed once (for frames that arrive from
     * elsewhere in a batch: the cluster's deliveries). Without batched flushes, just runs it.
     */
    static void asOneRead(Runnable writes) {
        Batch batch = BATCH.get();
        batch.depth++;
        try {
            writes.run();
        } finally {
            if (--batch.depth == 0) {
                batch.flushAll();
            }
        }
    }

    /** The connections whose flush one thread deferred during its current read. */
    static final class Batch {
        private int depth;
        private final List<DeferringStream> deferred = new ArrayList<>();

        boolean active() {
            return depth > 0;
        }

        void defer(DeferringStream stream) {
            deferred.add(stream);
        }

        void flushAll() {
            // A flush may run Tyrus code that writes (a completion that closes a session): it then
            // flushes at once, since depth is 0 here. Index loop: nothing is added meanwhile.
            for (int i = 0; i < deferred.size(); i++) {
                deferred.get(i).flushDeferred();
            }
            deferred.clear();
        }
    }

    /**
     * The servlet output stream as Tyrus' writer sees it: writes go straight through; a flush on a
     * thread inside a read is remembered and done when that read has been handled.
     */
    static final class DeferringStream extends ServletOutputStream {
        private final ServletOutputStream out;
        /** Tyrus' writer: every use of {@link #out} happens under its monitor. */
        private final Object lock;
        /** The servlet connection's "closed" flag (Payara's {@code WebConnectionImpl}); null: unknown. */
        private final AtomicBoolean connectionClosed;
        /** Guarded by {@link #lock}. */
        private boolean flushPending;

        DeferringStream(ServletOutputStream out, Object lock, AtomicBoolean connectionClosed) {
            this.out = out;
            this.lock = lock;
            this.connectionClosed = connectionClosed;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            Batch batch = BATCH.get();
            if (!batch.active()) {
                synchronized (lock) {
                    flushPending = false;
                    out.flush();
                }
                return;
            }
            DEFERRED.increment();
            synchronized (lock) {
                if (flushPending) {
                    return; // already in some thread's batch, which flushes after this write
                }
                flushPending = true;
            }
            batch.defer(this);
        }

        void flushDeferred() {
            synchronized (lock) {
                if (!flushPending) {
                    return; // someone flushed it since
                }
                flushPending = false;
                if (connectionClosed != null && connectionClosed.get()) {
                    // Closed during this read: closing the servlet connection flushed what was
                    // written (the close frame) and recycled the stream; a flush now would only
                    // throw (a NullPointerException inside the container, once per connection).
                    return;
                }
                FLUSHES.increment();
                try {
                    out.flush();
                } catch (IOException | RuntimeException e) {
                    // The connection is gone; Tyrus sees it on its next read or write.
                    LOG.log(Level.FINE, "deferred flush failed: {0}", e.toString());
                }
            }
        }

        @Override
        public boolean isReady() {
            return out.isReady();
        }

        @Override
        public void setWriteListener(WriteListener listener) {
            out.setWriteListener(listener);
        }

        @Override
        public void close() throws IOException {
            synchronized (lock) {
                flushPending = false;
                out.close();
            }
        }
    }
}
