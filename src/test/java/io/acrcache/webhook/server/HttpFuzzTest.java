package io.acrcache.webhook.server;

import io.acrcache.webhook.WebhookApp;
import io.acrcache.webhook.admission.AdmissionFuzzProperties;
import io.acrcache.webhook.testing.TestConfigs;
import io.acrcache.webhook.testing.TlsClients;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Mutated reviews through the real server: 200, 400 or 413, never a 5xx, never a hang. */
class HttpFuzzTest {
    @TempDir
    static Path certs;

    static WebhookApp app;

    @BeforeAll
    static void start() throws Exception {
        app = WebhookApp.start(
                TestConfigs.yaml("server: {host: 127.0.0.1, port: 0}\nops: {host: 127.0.0.1, port: 0}\n"),
                new WebhookApp.Options(null, Map.of(), certs, 2, Duration.ofSeconds(5)));
    }

    @AfterAll
    static void stop() {
        app.stop(Duration.ZERO);
    }

    @Test
    void mutatedReviewsNeverGetA5xxNorHang() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        System.out.println("HttpFuzzTest seed = " + seed + " (rerun with -Dfuzz.seed=" + seed + ")");
        Random rnd = new Random(seed);
        HttpClient client = TlsClients.client(certs.resolve("ca.crt"), HttpClient.Version.HTTP_2);
        URI uri = URI.create("https://localhost:" + app.admissionPort() + "/mutate");
        for (int i = 0; i < 400; i++) {
            byte[] body = AdmissionFuzzProperties.mutate(new Random(rnd.nextLong()));
            HttpResponse<String> r = client.send(
                    HttpRequest.newBuilder(uri)
                            .timeout(Duration.ofSeconds(10))
                            .header("content-type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertTrue(
                    Set.of(200, 400, 413).contains(r.statusCode()),
                    "case " + i + " of seed " + seed + ": " + r.statusCode() + " " + r.body());
        }
    }

    @Test
    void aTimeoutQueryThatCannotBeDecodedStillGetsAnAnswer() throws Exception {
        byte[] review = io.acrcache.webhook.testing.Reviews.create(
                        io.acrcache.webhook.testing.TestPods.withImages("nginx:1.25"))
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (io.acrcache.webhook.testing.RawHttps c = new io.acrcache.webhook.testing.RawHttps(
                TlsClients.trusting(certs.resolve("ca.crt")), app.admissionPort())) {
            io.acrcache.webhook.testing.RawHttps.Response r = c.post("/mutate?timeout=%zz", review);
            assertTrue(r.status() == 200 && r.body().contains("\"allowed\":true"), r.status() + " " + r.body());
        }
    }
}
