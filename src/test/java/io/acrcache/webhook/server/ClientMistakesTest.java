package io.acrcache.webhook.server;

import io.acrcache.webhook.WebhookApp;
import io.acrcache.webhook.testing.LogCapture;
import io.acrcache.webhook.testing.RawHttps;
import io.acrcache.webhook.testing.Reviews;
import io.acrcache.webhook.testing.TestConfigs;
import io.acrcache.webhook.testing.TestPods;
import io.acrcache.webhook.testing.TlsClients;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A client's mistake is capture.records() as one, at warn or debug with status and reason, never as a server error. */
class ClientMistakesTest {
    @TempDir
    Path certs;

    WebhookApp app;
    SSLContext trust;
    byte[] review;
    private LogCapture capture;
    final Logger ours = Logger.getLogger("io.acrcache.webhook.server");
    Level before;

    @BeforeEach
    void start() throws Exception {
        capture = LogCapture.root();
        before = ours.getLevel();
        ours.setLevel(Level.FINE);
        app = WebhookApp.start(
                TestConfigs.yaml("""
                server: {host: 127.0.0.1, port: 0, maxBodyBytes: 65536, requestTimeoutSeconds: 1}
                ops: {host: 127.0.0.1, port: 0}
                """), new WebhookApp.Options(null, Map.of(), certs, 2, Duration.ofSeconds(5)));
        trust = TlsClients.trusting(certs.resolve("ca.crt"));
        review = Reviews.create(TestPods.withImages("nginx")).getBytes(StandardCharsets.UTF_8);
    }

    @AfterEach
    void stop() {
        app.stop(Duration.ZERO);
        capture.detach();
        ours.setLevel(before);
    }

    private void assertNoServerErrors() throws InterruptedException {
        Thread.sleep(300);
        for (LogRecord r : capture.records()) {
            assertTrue(
                    r.getLevel().intValue() < Level.SEVERE.intValue(),
                    "capture.records() as an error: " + r.getMessage() + " " + r.getLoggerName() + " " + r.getThrown()
                            + " "
                            + (r.getThrown() == null
                                    ? ""
                                    : java.util.Arrays.toString(r.getThrown().getStackTrace())));
            assertTrue(r.getThrown() == null, "stack trace for " + r.getMessage() + ": " + r.getThrown());
        }
    }

    private boolean loggedLine(Level level, String text) {
        return capture.records().stream()
                .anyMatch(r -> r.getLevel().equals(level) && r.getMessage().contains(text));
    }

    @Test
    void tooLargeIsAWarningWithStatusAndReason() throws Exception {
        byte[] big = ("{\"pad\":\"" + "x".repeat(70_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        try (RawHttps c = new RawHttps(trust, app.admissionPort())) {
            RawHttps.Response r = c.post("/mutate", big);
            assertEquals(413, r.status());
            assertTrue(r.body().contains("\"error\""), r.body());
        }
        assertTrue(
                loggedLine(Level.WARNING, "413 request body over the limit (server.maxBodyBytes)"),
                capture.records().toString());
        assertNoServerErrors();
    }

    @Test
    void tooSlowIsAWarningWithStatusAndReason() throws Exception {
        try (RawHttps c = new RawHttps(trust, app.admissionPort())) {
            c.startPost("/mutate", review, 10);
            assertEquals(408, c.read().status());
        }
        assertTrue(
                loggedLine(Level.WARNING, "408 request not complete in time"),
                capture.records().toString());
        assertNoServerErrors();
    }

    @Test
    void aClientResetMidBodyIsDebug() throws Exception {
        RawHttps c = new RawHttps(trust, app.admissionPort());
        c.startPost("/mutate", review, 10);
        Thread.sleep(100);
        c.close();
        Thread.sleep(300);
        assertNoServerErrors();
        try (RawHttps again = new RawHttps(trust, app.admissionPort())) {
            assertEquals(200, again.post("/mutate", review).status());
        }
    }

    @Test
    void unknownPathsAnswer404InJsonOnBothListeners() throws Exception {
        HttpResponse<String> ops = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.opsPort() + "/nope"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(404, ops.statusCode());
        assertEquals(
                "application/json", ops.headers().firstValue("content-type").orElse(""));
        assertTrue(ops.body().contains("\"error\":\"no such path\""), ops.body());
        try (RawHttps c = new RawHttps(trust, app.admissionPort())) {
            RawHttps.Response r = c.post("/nope", review);
            assertEquals(404, r.status());
            assertTrue(r.body().contains("no such path"), r.body());
        }
        assertNoServerErrors();
    }
}
