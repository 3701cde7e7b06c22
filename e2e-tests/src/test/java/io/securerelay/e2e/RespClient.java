package io.securerelay.e2e;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A minimal Redis client for tests (RESP2 over TLS or plain TCP): sends one command, returns the
 * first line of the reply ({@code +OK}, {@code -NOPERM …}, {@code :1}, {@code $-1}, the
 * length line of a bulk string or array), enough to see what Redis allows. Independent of Lettuce
 * on purpose.
 */
final class RespClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RespClient(Socket socket) throws IOException {
        this.socket = socket;
        socket.setSoTimeout(10_000);
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** A TLS connection to 127.0.0.1:{@code port} that verifies the server's certificate for "localhost". */
    static RespClient tls(SSLContext trust, int port) throws IOException {
        SSLSocket s = (SSLSocket) trust.getSocketFactory().createSocket("localhost", port);
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        s.setSSLParameters(p);
        s.startHandshake();
        return new RespClient(s);
    }

    /** A plain TCP connection (no TLS) to 127.0.0.1:{@code port}. */
    static RespClient plain(int port) throws IOException {
        return new RespClient(new Socket("127.0.0.1", port));
    }

    /** Sends one command; the first line of the reply, or null if the server closed the connection. */
    String command(String... args) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (String a : args) {
            byte[] bytes = a.getBytes(StandardCharsets.UTF_8);
            b.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            b.writeBytes(bytes);
            b.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.write(b.toByteArray());
        out.flush();
        String first = line();
        if (first != null && first.startsWith("$") && !first.equals("$-1")) {
            int n = Integer.parseInt(first.substring(1));
            byte[] body = in.readNBytes(n + 2);
            return first + " " + new String(body, 0, Math.max(0, body.length - 2), StandardCharsets.UTF_8);
        }
        return first;
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) != -1; ) {
            if (c == '\n') {
                byte[] bytes = b.toByteArray();
                return new String(bytes, 0, Math.max(0, bytes.length - 1), StandardCharsets.UTF_8);
            }
            b.write(c);
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
