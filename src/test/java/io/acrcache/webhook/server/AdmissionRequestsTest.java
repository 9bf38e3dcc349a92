package io.acrcache.webhook.server;

import io.acrcache.webhook.WebhookApp;
import io.acrcache.webhook.testing.RawHttps;
import io.acrcache.webhook.testing.TestConfigs;
import io.acrcache.webhook.testing.TlsClients;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admission listener's own request handling (the body gathered without the router): the shapes of request the
 * apiserver and other clients send, each answered as the router's body and timeout handlers answered them.
 */
class AdmissionRequestsTest {
    @TempDir
    Path certs;

    WebhookApp app;
    SSLContext trust;
    byte[] review;

    @BeforeEach
    void start() throws Exception {
        app = WebhookApp.start(
                TestConfigs.yaml("""
                server: {host: 127.0.0.1, port: 0, maxBodyBytes: 65536, requestTimeoutSeconds: 2}
                ops: {host: 127.0.0.1, port: 0}
                """), new WebhookApp.Options(null, Map.of(), certs, 2, Duration.ofSeconds(5)));
        trust = TlsClients.trusting(certs.resolve("ca.crt"));
        review = Files.readAllBytes(Path.of("docs/examples/review-nginx.json"));
    }

    @AfterEach
    void stop() {
        app.stop(Duration.ZERO);
    }

    @Test
    void anotherSpellingOfThePathGetsTheSameAnswer() throws Exception {
        try (RawHttps c = new RawHttps(trust, app.admissionPort())) {
            RawHttps.Response exact = c.post("/mutate", review);
            RawHttps.Response slash = c.post("/mutate/", review);
            RawHttps.Response query = c.post("/mutate?timeout=10s", review);
            assertEquals(200, exact.status(), exact.body());
            assertTrue(exact.body().contains("\"patch\""), exact.body());
            assertEquals(exact, slash, "through the router");
            assertEquals(exact, query);
        }
    }

    @Test
    void aChunkedBodyIsGatheredAndLimited() throws Exception {
        try (RawHttps c = new RawHttps(trust, app.admissionPort())) {
            c.raw(chunked("/mutate", review, 700));
            RawHttps.Response r = c.read();
            assertEquals(200, r.status(), r.body());
            assertTrue(r.body().contains("\"patch\""), r.body());
        }
        byte[] big = ("{\"pad\":\"" + "x".repeat(70_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        try (RawHttps c = new RawHttps(trust, app.admissionPort())) {
            c.raw(chunked("/mutate", big, 8192));
            RawHttps.Response r = c.read();
            assertEquals(413, r.status(), r.body());
            assertTrue(r.body().contains("server.maxBodyBytes"), r.body());
        }
    }

    @Test
    void aRequestWithoutABodyIs400() throws Exception {
        try (RawHttps c = new RawHttps(trust, app.admissionPort())) {
            c.raw("POST /mutate HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            RawHttps.Response r = c.read();
            assertEquals(400, r.status());
            assertTrue(r.body().contains("empty body"), r.body());
        }
    }

    @Test
    void anExpectationOtherThanContinueIs417AndContinueIsHonoured() throws Exception {
        try (RawHttps c = new RawHttps(trust, app.admissionPort())) {
            c.raw(("POST /mutate HTTP/1.1\r\nHost: localhost\r\nExpect: something-else\r\nContent-Length: "
                            + review.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertEquals(417, c.read().status());
        }
        try (RawHttps c = new RawHttps(trust, app.admissionPort())) {
            c.raw(("POST /mutate HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: "
                            + review.length + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            assertEquals(100, c.read().status(), "asked to go on before the body is sent");
            c.raw(review);
            assertEquals(200, c.read().status());
        }
    }

    @Test
    void theWarmUpPathWithoutItsTokenIs404() throws Exception {
        try (RawHttps c = new RawHttps(trust, app.admissionPort())) {
            RawHttps.Response r = c.post(WarmUp.PATH, review);
            assertEquals(404, r.status());
            assertTrue(r.body().contains("no such path"), r.body());
        }
    }

    private static byte[] chunked(String path, byte[] body, int chunk) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Transfer-Encoding: chunked\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < body.length; i += chunk) {
            int n = Math.min(chunk, body.length - i);
            out.writeBytes((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body, i, n);
            out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
