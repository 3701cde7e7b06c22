package io.securerelay.relay.testkit;

import io.securerelay.protocol.relay.MalformedFrameException;
import io.securerelay.protocol.relay.RelayCodec;
import io.securerelay.protocol.relay.RelayFrame;
import io.securerelay.protocol.relay.RoutingKey;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A minimal WebSocket client over TLS, written on a plain {@link SSLSocket}, for what a well-behaved
 * library will not do: send frames with reserved bits, unknown opcodes, invalid UTF-8 or no mask;
 * open many connections from a chosen local address; or stop reading altogether. It verifies the
 * relay's certificate and host name like the real clients. Not thread-safe; every read has a
 * timeout.
 */
public final class RawWebSocketClient implements AutoCloseable {

    public static final int OP_CONTINUATION = 0x0, OP_TEXT = 0x1, OP_BINARY = 0x2, OP_CLOSE = 0x8,
            OP_PING = 0x9, OP_PONG = 0xA;
    public static final int FIN = 0x80;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One frame as read from the relay. */
    public record Frame(int opcode, boolean fin, byte[] payload) {
        /** The close code of a close frame (1005 if it has none). */
        public int closeCode() {
            return payload.length >= 2 ? ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF) : 1005;
        }

        /** The reason of a close frame ("" if it has none). */
        public String closeReason() {
            return payload.length > 2 ? new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8) : "";
        }
    }

    private final SSLSocket socket;
    private final DataInputStream in;
    private final OutputStream out;
    private final int status;

    private RawWebSocketClient(SSLSocket socket, int status) throws IOException {
        this.socket = socket;
        this.in = new DataInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
        this.status = status;
    }

    /** Connects to {@code uri} ({@code wss://host:port/path}) and completes the upgrade. */
    public static RawWebSocketClient connect(URI uri) throws Exception {
        return connect(uri, null, null, 0);
    }

    /**
     * Connects and completes the upgrade.
     *
     * @param localAddress      the local (loopback) address to connect from, or {@code null}
     * @param origin            an {@code Origin} header to send, or {@code null} for none
     * @param receiveBufferSize the socket's receive buffer in bytes (small: a receiver that stalls
     *                          sooner), or 0 for the system's default
     * @throws IOException if the relay does not answer 101 (the message holds its status line)
     */
    public static RawWebSocketClient connect(URI uri, InetAddress localAddress, String origin, int receiveBufferSize)
            throws Exception {
        SSLSocket socket = (SSLSocket) TestTls.trustingProjectCa().getSocketFactory().createSocket();
        try {
            if (receiveBufferSize > 0) {
                socket.setReceiveBufferSize(receiveBufferSize);
            }
            if (localAddress != null) {
                socket.bind(new InetSocketAddress(localAddress, 0));
            }
            SSLParameters params = socket.getSSLParameters();
            params.setEndpointIdentificationAlgorithm("HTTPS");
            params.setServerNames(List.of(new SNIHostName(uri.getHost())));
            socket.setSSLParameters(params);
            socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
            socket.setSoTimeout(30_000);
            socket.startHandshake();
            return upgrade(socket, uri, origin);
        } catch (Exception e) {
            socket.close();
            throw e;
        }
    }

    private static RawWebSocketClient upgrade(SSLSocket socket, URI uri, String origin) throws Exception {
        byte[] nonce = new byte[16];
        RANDOM.nextBytes(nonce);
        String key = Base64.getEncoder().encodeToString(nonce);
        String request = "GET " + uri.getRawPath() + " HTTP/1.1\r\n"
                + "Host: " + uri.getHost() + ":" + uri.getPort() + "\r\n"
                + "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
                + (origin == null ? "" : "Origin: " + origin + "\r\n")
                + "\r\n";
        socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        InputStream in = socket.getInputStream();
        String head = readHead(in);
        String statusLine = head.lines().findFirst().orElse("");
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        if (status != 101) {
            throw new IOException("upgrade refused: " + statusLine);
        }
        String expected = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
        boolean accepted = head.lines().anyMatch(l -> l.toLowerCase().startsWith("sec-websocket-accept:")
                && l.substring(l.indexOf(':') + 1).trim().equals(expected));
        if (!accepted) {
            throw new IOException("bad Sec-WebSocket-Accept in: " + head);
        }
        return new RawWebSocketClient(socket, status);
    }

    /** Reads the HTTP response head byte by byte (no read past it). */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed during the upgrade: " + head);
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    public int status() {
        return status;
    }

    /**
     * Sends one frame exactly as told.
     *
     * @param firstByte FIN, RSV1-3 and the opcode, e.g. {@code FIN | OP_BINARY}
     * @param masked    clients must mask; false sends an unmasked frame
     */
    public synchronized void sendFrame(int firstByte, byte[] payload, boolean masked) throws IOException {
        out.write(frameBytes(firstByte, payload, masked));
        out.flush();
    }

    /**
     * Sends the header of a masked frame that declares {@code length} payload bytes (any 64-bit
     * value, also one RFC 6455 forbids), and no payload: follow with {@link #sendRaw}.
     */
    public synchronized void sendFrameHeader(int firstByte, long length) throws IOException {
        sendFrameHeader(firstByte, length, new byte[0]);
    }

    /**
     * Sends the header of a masked frame that declares {@code length} payload bytes, and the first
     * {@code payloadStart} bytes of it, in one write (the relay may close the connection at the
     * header: a later write could meet a reset and cost the close frame).
     */
    public synchronized void sendFrameHeader(int firstByte, long length, byte[] payloadStart) throws IOException {
        ByteArrayOutputStream f = new ByteArrayOutputStream(14);
        f.write(firstByte);
        if (length >= 0 && length < 126) {
            f.write(0x80 | (int) length);
        } else if (length >= 0 && length < 65536) {
            f.write(0x80 | 126);
            f.write((int) (length >>> 8));
            f.write((int) length);
        } else {
            f.write(0x80 | 127);
            f.writeBytes(ByteBuffer.allocate(8).putLong(length).array());
        }
        byte[] mask = new byte[4];
        RANDOM.nextBytes(mask);
        f.writeBytes(mask);
        for (int i = 0; i < payloadStart.length; i++) {
            f.write(payloadStart[i] ^ mask[i & 3]);
        }
        out.write(f.toByteArray());
        out.flush();
    }

    /** Sends {@code bytes} as they are (part of a frame whose header was sent). */
    public synchronized void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    private static byte[] frameBytes(int firstByte, byte[] payload, boolean masked) {
        ByteArrayOutputStream f = new ByteArrayOutputStream(payload.length + 14);
        f.write(firstByte);
        int maskBit = masked ? 0x80 : 0;
        if (payload.length < 126) {
            f.write(maskBit | payload.length);
        } else if (payload.length < 65536) {
            f.write(maskBit | 126);
            f.write(payload.length >>> 8);
            f.write(payload.length);
        } else {
            f.write(maskBit | 127);
            f.writeBytes(ByteBuffer.allocate(8).putLong(payload.length).array());
        }
        if (masked) {
            byte[] mask = new byte[4];
            RANDOM.nextBytes(mask);
            f.writeBytes(mask);
            byte[] m = payload.clone();
            for (int i = 0; i < m.length; i++) {
                m[i] ^= mask[i & 3];
            }
            f.writeBytes(m);
        } else {
            f.writeBytes(payload);
        }
        return f.toByteArray();
    }

    /** Sends {@code count} masked binary messages holding {@code payload} in one write, as fast as TCP goes. */
    public synchronized void sendBinaryRepeatedly(byte[] payload, int count) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream((payload.length + 14) * count);
        for (int i = 0; i < count; i++) {
            all.writeBytes(frameBytes(FIN | OP_BINARY, payload, true));
        }
        out.write(all.toByteArray());
        out.flush();
    }

    /** Sends one masked binary message per payload, all in one write (so they arrive in as few reads as TCP allows). */
    public synchronized void sendBinaries(List<byte[]> payloads) throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (byte[] p : payloads) {
            all.writeBytes(frameBytes(FIN | OP_BINARY, p, true));
        }
        out.write(all.toByteArray());
        out.flush();
    }

    /** Sends one masked binary message. */
    public void sendBinary(byte[] payload) throws IOException {
        sendFrame(FIN | OP_BINARY, payload, true);
    }

    /** Sends one masked binary message holding a relay frame. */
    public void send(RelayFrame frame) throws IOException {
        ByteBuffer b = RelayCodec.encode(frame);
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        sendBinary(bytes);
    }

    /** Reads the next frame, whatever it is; fails after {@code timeout}. */
    public Frame readFrame(Duration timeout) throws IOException {
        socket.setSoTimeout((int) Math.max(1, timeout.toMillis()));
        int b0 = in.readUnsignedByte();
        int b1 = in.readUnsignedByte();
        long len = b1 & 0x7F;
        if (len == 126) {
            len = in.readUnsignedShort();
        } else if (len == 127) {
            len = in.readLong();
        }
        byte[] mask = null;
        if ((b1 & 0x80) != 0) {
            mask = new byte[4];
            in.readFully(mask);
        }
        byte[] payload = new byte[Math.toIntExact(len)];
        in.readFully(payload);
        if (mask != null) {
            for (int i = 0; i < payload.length; i++) {
                payload[i] ^= mask[i & 3];
            }
        }
        return new Frame(b0 & 0x0F, (b0 & FIN) != 0, payload);
    }

    /**
     * The next relay frame (a binary message), answering pings on the way; fails on a close frame or
     * after {@code timeout}.
     */
    public RelayFrame.ServerFrame nextRelayFrame(Duration timeout) throws IOException, MalformedFrameException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Frame f = readFrame(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
            switch (f.opcode()) {
                case OP_PING:
                    sendFrame(FIN | OP_PONG, f.payload(), true);
                    break;
                case OP_BINARY:
                    return RelayCodec.decodeServerFrame(ByteBuffer.wrap(f.payload()));
                case OP_CLOSE:
                    throw new AssertionError("relay closed the connection: " + f.closeCode());
                default:
                    break;
            }
        }
    }

    /** Reads the CHALLENGE, registers with {@code key} and expects REGISTERED. */
    public void register(RoutingKey key, Duration timeout) throws IOException, MalformedFrameException {
        RelayFrame.ServerFrame first = nextRelayFrame(timeout);
        if (!(first instanceof RelayFrame.Challenge c)) {
            throw new AssertionError("expected CHALLENGE, got " + first);
        }
        send(key.register(c.nonce()));
        RelayFrame.ServerFrame answer = nextRelayFrame(timeout);
        if (!(answer instanceof RelayFrame.Registered r) || !r.sessionId().equals(key.sessionId())) {
            throw new AssertionError("expected REGISTERED " + key.sessionId() + ", got " + answer);
        }
    }

    /**
     * Reads (and drops) frames until the relay's close frame; returns its code, or -1 if the
     * connection ended without one (reset or EOF). Does not answer pings. Fails after {@code timeout}.
     */
    public int awaitClose(Duration timeout) throws IOException {
        Frame f = awaitCloseFrame(timeout);
        return f == null ? -1 : f.closeCode();
    }

    /**
     * Reads (and drops) frames until the relay's close frame and returns it, or {@code null} if the
     * connection ended without one (reset or EOF). Does not answer pings. Fails after {@code timeout}.
     */
    public Frame awaitCloseFrame(Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no close from the relay within " + timeout);
                }
                Frame f = readFrame(Duration.ofNanos(left));
                if (f.opcode() == OP_CLOSE) {
                    return f;
                }
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("no close from the relay within " + timeout, e);
        } catch (EOFException | SocketException | javax.net.ssl.SSLException e) {
            return null;
        }
    }

    public InetAddress localAddress() {
        return socket.getLocalAddress();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
