package io.securerelay.relay.endpoint;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A plain HTTP request to {@code /relay} (one that Tyrus' filter did not upgrade): {@code 426
 * Upgrade Required} with {@code Upgrade: websocket}, as RFC 9110 15.5.22 asks, instead of a 404.
 *
 * <p>It also spares every WebSocket connection a failed lookup: without a servlet mapped exactly
 * to the endpoint's path, the container's mapper searches the web application's files for
 * {@code /relay} (a welcome-file check) on each upgrade request, and that search fails with an
 * exception, stack trace included.
 */
@WebServlet(RelayEndpoint.PATH)
public class UpgradeRequiredServlet extends HttpServlet {

    private static final byte[] BODY = ("This is a WebSocket endpoint: connect with a WebSocket client to wss://<host>"
            + RelayEndpoint.PATH + " (docs/PROTOCOL.md).\n").getBytes(StandardCharsets.UTF_8);

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        response.setStatus(426);
        response.setHeader("Upgrade", "websocket");
        response.setHeader("Connection", "Upgrade");
        response.setContentType("text/plain;charset=UTF-8");
        response.setContentLength(BODY.length);
        response.getOutputStream().write(BODY);
    }
}
