package io.securerelay.relay.admin;

import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET /admin/api/session} (behind {@link AdminFilter}): the logged-in session's anti-CSRF
 * token, as JSON, for the console's script to put into its forms. No other origin can read it:
 * the relay sends no CORS headers, and the cookie is {@code SameSite=Strict}.
 */
@WebServlet("/admin/api/session")
public class AdminSessionServlet extends HttpServlet {

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse res) throws IOException {
        String token = AdminCsrf.tokenOf(req.getSession(false));
        res.setContentType("application/json");
        res.getWriter().write("{\"csrf\":\"" + (token == null ? "" : token) + "\"}");
    }
}
