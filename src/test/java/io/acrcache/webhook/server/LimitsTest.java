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

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each hard limit of the admission listener, and its TLS policy, against a real server. */
class LimitsTest {
    @TempDir
    Path certs;

    WebhookApp app;
    SSLContext trust;
    byte[] review;

    @BeforeEach
    void start() throws Exception {
        app = WebhookApp.start(
                TestConfigs.yaml("""
                server: {host: 127.0.0.1, port: 0, maxBodyBytes: 65536, maxHeaderBytes: 2048,
                         requestTimeoutSeconds: 1, idleTimeoutSeconds: 2, maxConnections: 3}
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
    void bodyOverTheLimitGets413() throws Exception {
        byte[] big = ("{\"pad\":\"" + "x".repeat(70_000) + "\"}").getBytes(StandardCharsets.UTF_8);
        try (RawHttps c = new RawHttps(trust, app.admissionPort())) {
            assertEquals(413, c.post("/mutate", big).status());
        }
        try (RawHttps c = new RawHttps(trust, app.admissionPort())) {
            assertEquals(200, c.post("/mutate", review).status(), "a body within the limit is fine");
        }
    }

    @Test
    void headersOverTheLimitGet431() throws Exception {
        try (RawHttps c = new RawHttps(trust, app.admissionPort())) {
            c.raw(("POST /mutate HTTP/1.1\r\nHost: localhost\r\nX-Pad: " + "y".repeat(4096)
                            + "\r\nContent-Length: 2\r\n\r\n{}")
                    .getBytes(StandardCharsets.US_ASCII));
            assertEquals(431, c.read().status());
        }
    }

    @Test
    void aBodyThatTricklesInIsCutOffWith408() throws Exception {
        try (RawHttps c = new RawHttps(trust, app.admissionPort())) {
            c.startPost("/mutate", review, 10);
            long start = System.nanoTime();
            RawHttps.Response[] answer = new RawHttps.Response[1];
            Thread reader = new Thread(() -> {
                try {
                    answer[0] = c.read();
                } catch (IOException e) {
                    answer[0] = new RawHttps.Response(-1, e.toString());
                }
            });
            reader.start();
            for (int i = 10; i < 40 && reader.isAlive(); i++) {
                try {
                    c.raw(new byte[] {review[i]});
                } catch (IOException closed) {
                    break;
                }
                Thread.sleep(200);
            }
            reader.join(10_000);
            assertEquals(408, answer[0].status(), answer[0].body());
            long took = System.nanoTime() - start;
            assertTrue(
                    took > Duration.ofMillis(900).toNanos()
                            && took < Duration.ofSeconds(3).toNanos(),
                    "cut off by the 1 s request timeout, not by chance: " + took / 1_000_000 + " ms");
        }
    }

    @Test
    void aClientThatStallsIsDisconnectedAndHoldsNothing() throws Exception {
        try (RawHttps stalled = new RawHttps(trust, app.admissionPort())) {
            stalled.raw("POST /mutate HTTP/1.1\r\nHost: local".getBytes(StandardCharsets.US_ASCII));
            long start = System.nanoTime();
            IOException closed = assertThrows(IOException.class, stalled::read);
            long waited = System.nanoTime() - start;
            assertTrue(
                    waited >= Duration.ofMillis(1500).toNanos()
                            && waited < Duration.ofSeconds(8).toNanos(),
                    "closed by the 2 s idle timeout, after " + waited / 1_000_000 + " ms: " + closed);
        }
        try (RawHttps c = new RawHttps(trust, app.admissionPort())) {
            assertEquals(200, c.post("/mutate", review).status());
        }
    }

    @Test
    void connectionsPastTheCapAreClosed() throws Exception {
        List<RawHttps> open = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawHttps c = new RawHttps(trust, app.admissionPort());
                assertEquals(200, c.post("/mutate", review).status());
                open.add(c);
            }
            try (RawHttps fourth = new RawHttps(trust, app.admissionPort())) {
                assertThrows(IOException.class, () -> fourth.post("/mutate", review));
            } catch (IOException handshakeRefused) {
                // closed before or during the handshake: refused as well
            }
            open.remove(0).close();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (true) {
                try (RawHttps again = new RawHttps(trust, app.admissionPort())) {
                    assertEquals(200, again.post("/mutate", review).status());
                    break;
                } catch (IOException notYet) {
                    if (System.nanoTime() > deadline) {
                        throw notYet;
                    }
                    Thread.sleep(50);
                }
            }
        } finally {
            for (RawHttps c : open) {
                c.close();
            }
        }
    }

    @Test
    void tls11HandshakeIsRefused() throws Exception {
        // a hand-written TLS 1.1 ClientHello, so the test does not depend on what the JDK client allows
        try (Socket s = new Socket("127.0.0.1", app.admissionPort())) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write(clientHello(0x0302));
            out.flush();
            int first = s.getInputStream().read();
            assertNotEquals(0x16, first, "the server must not answer a TLS 1.1 hello with a handshake (ServerHello)");
            assertTrue(first == 0x15 || first == -1, "an alert or a closed connection, got " + first);
        }
        // the same hello at TLS 1.2 is answered with a ServerHello, so the refusal above is about the version
        try (Socket s = new Socket("127.0.0.1", app.admissionPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream().write(clientHello(0x0303));
            assertEquals(0x16, s.getInputStream().read());
        }
    }

    @Test
    void plaintextHttpToTheTlsPortIsRefused() throws Exception {
        try (Socket s = new Socket("127.0.0.1", app.admissionPort())) {
            s.setSoTimeout(5000);
            s.getOutputStream()
                    .write(("POST /mutate HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + review.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().write(review);
            InputStream in = s.getInputStream();
            byte[] got = in.readNBytes(64);
            assertFalse(new String(got, StandardCharsets.ISO_8859_1).startsWith("HTTP/1.1 200"), "no plaintext answer");
        } catch (IOException reset) {
            // connection reset: refused as well
        }
    }

    /** A minimal ClientHello offering ECDHE with AES-GCM and CBC suites on P-256 at the given version. */
    static byte[] clientHello(int version) {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        int[] suites = {0xC02B, 0xC02F, 0xC009, 0xC013, 0x002F, 0x0035};
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        body.write(version >> 8);
        body.write(version & 0xff);
        body.writeBytes(random);
        body.write(0); // session id
        body.write(0);
        body.write(suites.length * 2);
        for (int suite : suites) {
            body.write(suite >> 8);
            body.write(suite & 0xff);
        }
        body.write(1); // compression methods: null
        body.write(0);
        byte[] extensions = {
            0x00,
            0x0a,
            0x00,
            0x04,
            0x00,
            0x02,
            0x00,
            0x17, // supported_groups: secp256r1
            0x00,
            0x0b,
            0x00,
            0x02,
            0x01,
            0x00, // ec_point_formats: uncompressed
            0x00,
            0x0d,
            0x00,
            0x06,
            0x00,
            0x04,
            0x04,
            0x03,
            0x08,
            0x04 // signature_algorithms
        };
        body.write(0);
        body.write(extensions.length);
        body.writeBytes(extensions);
        byte[] hello = body.toByteArray();
        java.io.ByteArrayOutputStream record = new java.io.ByteArrayOutputStream();
        record.writeBytes(new byte[] {0x16, 0x03, 0x01});
        int handshakeLength = hello.length + 4;
        record.write(handshakeLength >> 8);
        record.write(handshakeLength & 0xff);
        record.write(0x01);
        record.write(0);
        record.write(hello.length >> 8);
        record.write(hello.length & 0xff);
        record.writeBytes(hello);
        return record.toByteArray();
    }
}
