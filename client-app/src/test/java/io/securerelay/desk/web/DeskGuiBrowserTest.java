package io.securerelay.desk.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.securerelay.desk.CustomerView;
import io.securerelay.desk.MessageView;
import io.securerelay.testkit.HeadlessChromium;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The agents' GUI in a real headless Chromium (Debian {@code chromium}, {@code chromium-driver}) against a
 * real {@link DeskWebServer} over the in-memory desk: log in, see the inbox, open a conversation, a message
 * pushed by the test appears live, answer it (Enter sends, Shift+Enter is a new line), the tick turns to
 * delivered, a changed key shows the banner with both fingerprints and re-trusting needs the confirmation.
 * Screenshots go to {@code target/desk-screenshots/}. Under {@code CI=true} a missing Chromium fails the test.
 */
class DeskGuiBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final Path SHOTS = Path.of("target", "desk-screenshots");

    @Test
    void anAgentLogsInAnswersLiveAndReTrustsAChangedKey() throws Exception {
        assumeTrue(HeadlessChromium.installed() || "true".equals(System.getenv("CI")),
                "Chromium and chromedriver are not installed (apt-get install chromium chromium-driver)");
        Files.createDirectories(SHOTS);
        Instant now = Instant.now();
        InMemoryDesk desk = new InMemoryDesk(Clock.systemUTC());
        CustomerView alice = desk.addCustomer("Alice Martin", InMemoryDesk.fp('a'), "SECURE", now.minusSeconds(600));
        desk.receive(alice.id(), "Good morning. I don't recognise a card payment of 249.00 EUR from yesterday.",
                now.minusSeconds(900));
        MessageView first = desk.send(alice.id(), "Good morning Ms Martin. I can see it: \"ONLINE STORE 4471\", 18:42."
                + " Did you make that purchase?");
        desk.acknowledge(first.cursor());
        desk.receive(alice.id(), "No, I did not. <script>alert('x')</script> is what the shop's page said.",
                now.minusSeconds(600));
        CustomerView chen = desk.addCustomer("Chen Wei", InMemoryDesk.fp('c'), "HANDSHAKING", now.minusSeconds(1800));
        desk.receive(chen.id(), "Can I raise my transfer limit for tomorrow?", now.minusSeconds(1800));
        desk.receive(chen.id(), "It is for the deposit on the flat.", now.minusSeconds(1790));
        desk.addCustomer("Bob Keller", InMemoryDesk.fp('e'), "OFFLINE", now.minusSeconds(86400 * 2));
        CustomerView dora = desk.addCustomer("Dora Lindqvist", InMemoryDesk.fp('d'), "SECURE", now.minusSeconds(7200));
        desk.receive(dora.id(), "Hello, I got a new phone.", now.minusSeconds(7200));
        String presented = InMemoryDesk.fp('7');
        desk.keyChanged(dora.id(), presented);

        try (DeskWebServer server = DeskWebServer.builder(desk, ApiToken.of(DeskWebServerTest.TOKEN)).port(0).start();
                HeadlessChromium browser = new HeadlessChromium(Path.of("target", "desk-chromedriver.log"))) {
            String base = "http://127.0.0.1:" + server.port();
            browser.open(base + "/desk/");
            HeadlessChromium.waitFor(WAIT, () -> visible(browser, "login-view"), "the login page");
            browser.screenshot(SHOTS.resolve("login.png"));
            browser.type("#login-token", "not-the-token-0123456789abcdef");
            browser.click("#login-submit");
            browser.awaitText("#login-error", t -> t.contains("not the desk"), WAIT, "a wrong token is refused");
            browser.execute("document.getElementById('login-token').value = ''; return '';");
            browser.type("#login-token", DeskWebServerTest.TOKEN);
            browser.click("#login-submit");

            browser.awaitText("#inbox", t -> t.contains("Alice Martin") && t.contains("Chen Wei") && t.contains("KEY CHANGED"),
                    WAIT, "the inbox");
            assertTrue(browser.cookies().contains("\"httpOnly\":true"), browser.cookies());
            assertEquals(InMemoryDesk.BANK_ID, browser.text("#bank-session-id"));
            browser.awaitText("#relay-status-text", t -> t.equals("Relay connected"), WAIT, "the relay status");
            HeadlessChromium.waitFor(WAIT, () -> "live".equals(js(browser, "return document.getElementById('live').dataset.state;")),
                    "the event stream is open");
            assertEquals("2", js(browser, "return document.querySelector('.customer[data-id=\"" + chen.id() + "\"] .badge').textContent;"));

            browser.click(".customer[data-id=\"" + alice.id() + "\"]");
            browser.awaitText("#messages", t -> t.contains("249.00 EUR"), WAIT, "Alice's conversation");
            assertEquals("1", js(browser, "return String(document.querySelectorAll('#messages script').length + 1);"),
                    "a message's markup stays text");
            assertTrue(browser.text("#messages").contains("<script>alert('x')</script>"));
            assertEquals(InMemoryDesk.fp('a'), js(browser, "return document.getElementById('details-fingerprint').textContent;"));
            assertTrue(js(browser, "return document.getElementById('details-safety').textContent;").startsWith("12345 67890"));

            desk.receive(alice.id(), "Please block the card. I still have it here.", Instant.now());
            browser.awaitText("#messages", t -> t.contains("Please block the card."), WAIT, "the pushed message, live");

            browser.click("#composer-text");
            browser.type("#composer-text", "I have blocked it now.\uE008\uE007\uE000A new card is on its way.\uE007");
            HeadlessChromium.waitFor(WAIT, () -> desk.sentTexts().contains("I have blocked it now.\nA new card is on its way."),
                    "the desk got the answer (sent: " + desk.sentTexts() + ")");
            browser.awaitText("#messages", t -> t.contains("A new card is on its way."), WAIT, "the answer in the conversation");
            assertEquals("QUEUED", js(browser, "const b = document.querySelectorAll('.bubble.out'); return b[b.length - 1].dataset.state;"));
            MessageView answer = desk.messages(alice.id(), 0, 1000).stream().filter(m -> m.direction().equals("OUT"))
                    .reduce((a, b) -> b).orElseThrow();
            desk.acknowledge(answer.cursor());
            HeadlessChromium.waitFor(WAIT, () -> "DELIVERED".equals(js(browser,
                    "const b = document.querySelectorAll('.bubble.out'); return b[b.length - 1].dataset.state;")),
                    "the answer's tick turns to delivered");
            assertEquals("", browser.text("#composer-text"));
            browser.screenshot(SHOTS.resolve("inbox-conversation.png"));

            browser.click(".customer[data-id=\"" + dora.id() + "\"]");
            browser.awaitText("#keychange-banner", t -> t.contains("key changed"), WAIT, "the key-changed banner");
            assertEquals(groups(InMemoryDesk.fp('d')), js(browser, "return document.getElementById('keychange-old').textContent;"));
            assertEquals(groups(presented), js(browser, "return document.getElementById('keychange-new').textContent;"));
            assertEquals("true", js(browser, "return String(document.getElementById('composer-text').disabled);"));
            browser.screenshot(SHOTS.resolve("key-changed.png"));

            browser.click("#retrust-open");
            HeadlessChromium.waitFor(WAIT, () -> "true".equals(js(browser, "return String(document.getElementById('retrust-dialog').open);")),
                    "the confirmation dialog");
            assertEquals("true", js(browser, "return String(document.getElementById('retrust-confirm').disabled);"),
                    "re-trusting needs the check box");
            browser.screenshot(SHOTS.resolve("retrust-dialog.png"));
            browser.click("#retrust-confirm-check");
            browser.click("#retrust-confirm");
            HeadlessChromium.waitFor(WAIT, () -> desk.customer(dora.id()).status().equals("TRUSTED"), "the desk re-trusted the key");
            HeadlessChromium.waitFor(WAIT, () -> "true".equals(js(browser,
                    "return String(document.getElementById('keychange-banner').hidden);")), "the banner goes");
            assertEquals(presented, desk.customer(dora.id()).fingerprint());

            String log = browser.browserLog();
            assertFalse(log.contains("Content Security Policy"), "no CSP violation: " + log);
            assertFalse(log.contains("\"source\":\"javascript\""), "no script error in the page: " + log);
        }
    }

    private static String groups(String fp) {
        return fp.replaceAll("[^0-9a-f]", "").replaceAll("(.{4})(?!$)", "$1 ");
    }

    private static boolean visible(HeadlessChromium b, String id) {
        return "true".equals(js(b, "const e = document.getElementById('" + id + "'); return String(!!e && !e.hidden);"));
    }

    private static String js(HeadlessChromium b, String script) {
        try {
            return b.execute(script);
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
