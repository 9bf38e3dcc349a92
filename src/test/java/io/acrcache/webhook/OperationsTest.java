package io.acrcache.webhook;

import io.acrcache.webhook.config.SettingsLoader;
import io.acrcache.webhook.testing.OpsMetrics;
import io.acrcache.webhook.testing.RawHttps;
import io.acrcache.webhook.testing.Reviews;
import io.acrcache.webhook.testing.TestPods;
import io.acrcache.webhook.testing.TlsClients;
import io.acrcache.webhook.tls.CertificateBundle;
import io.acrcache.webhook.tls.CertificateGenerator;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;

import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.acrcache.webhook.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The webhook as operations see it: live reload of config and certificate through the same atomic {@code ..data}
 * symlink swap the kubelet does, metrics scraped after real requests, and graceful shutdown that loses no request in
 * flight.
 */
class OperationsTest {
    @TempDir
    Path dir;

    WebhookApp app;
    SSLContext trust;
    CertificateBundle bundle;
    int generation;

    /** Lays out files like a ConfigMap/Secret volume: name -> ..data/name, ..data -> ..<generation>. */
    private void publish(Map<String, String> files) throws Exception {
        Path gen = Files.createDirectory(dir.resolve("..gen" + generation++));
        for (var f : files.entrySet()) {
            Files.writeString(gen.resolve(f.getKey()), f.getValue());
        }
        Path tmp = dir.resolve("..data_tmp");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, gen.getFileName());
        Files.move(tmp, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        for (String name : files.keySet()) {
            if (!Files.exists(dir.resolve(name), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createSymbolicLink(dir.resolve(name), Path.of("..data", name));
            }
        }
    }

    private static String config(String loginServer, String mode) {
        return "acrLoginServer: " + loginServer + "\nmode: " + mode
                + "\nserver: {host: 127.0.0.1, port: 0, tlsCertFile: CERT, tlsKeyFile: KEY}\n"
                + "ops: {host: 127.0.0.1, port: 0}\nshutdown: {drainSeconds: 1}\n";
    }

    private Map<String, String> files(String config, CertificateBundle b) {
        return Map.of(
                "config.yaml",
                config.replace("CERT", dir.resolve("tls.crt").toString())
                        .replace("KEY", dir.resolve("tls.key").toString()),
                "tls.crt",
                b.certificatePem(),
                "tls.key",
                b.keyPem());
    }

    @BeforeEach
    void start() throws Exception {
        bundle = CertificateGenerator.forService("acr-cache-webhook", "test", Duration.ofDays(30));
        publish(files(config("first.azurecr.io", "enforce"), bundle));
        Files.writeString(dir.resolve("ca.crt"), bundle.caCertificatePem());
        trust = TlsClients.trusting(dir.resolve("ca.crt"));
        Path configFile = dir.resolve("config.yaml");
        app = WebhookApp.start(
                SettingsLoader.load(configFile, Map.of()),
                new WebhookApp.Options(configFile, Map.of(), dir.resolve("dev"), 2, Duration.ofMillis(100)));
    }

    @AfterEach
    void stop() {
        if (app != null) {
            app.stop(Duration.ZERO);
        }
    }

    private AdmissionResponse mutate(String... images) throws Exception {
        try (RawHttps c = new RawHttps(trust, app.admissionPort())) {
            RawHttps.Response r = c.post(
                    "/mutate", Reviews.create(TestPods.withImages(images)).getBytes(StandardCharsets.UTF_8));
            assertEquals(200, r.status(), r.body());
            return Reviews.answer(r.body().getBytes(StandardCharsets.UTF_8)).getResponse();
        }
    }

    private String scrape() throws Exception {
        return OpsMetrics.scrape(app.opsPort());
    }

    private static double value(String scrape, String series) {
        return OpsMetrics.value(scrape, series).orElseThrow(() -> new AssertionError("no series " + series));
    }

    @Test
    void metricsCountWhatReallyHappened() throws Exception {
        mutate("nginx", "bitnami/redis:7"); // patched: 2 images rewritten
        mutate("ghcr.io/org/app", "Bad:Image"); // unchanged: no-rule + invalid-reference
        app.config().set(SettingsLoader.parse("acrLoginServer: first.azurecr.io\nmode: audit\n", "t", Map.of()));
        mutate("busybox"); // audit: would rewrite 1
        try (RawHttps c = new RawHttps(trust, app.admissionPort())) {
            assertEquals(
                    400,
                    c.post("/mutate", "{}".getBytes(StandardCharsets.UTF_8)).status());
        }
        String s = scrape();
        assertEquals(1.0, value(s, "acw_admission_requests_total{operation=\"CREATE\",outcome=\"patched\"}"));
        assertEquals(2.0, value(s, "acw_admission_requests_total{operation=\"CREATE\",outcome=\"unchanged\"}"));
        assertEquals(0.0, value(s, "acw_admission_requests_total{operation=\"CREATE\",outcome=\"error\"}"));
        assertEquals(3.0, value(s, "acw_admission_duration_seconds_count{operation=\"CREATE\"}"));
        assertEquals(2.0, value(s, "acw_images_rewritten_total{registry=\"docker.io\",rule=\"docker-hub\"}"));
        assertEquals(1.0, value(s, "acw_images_skipped_total{reason=\"no-rule\"}"));
        assertEquals(1.0, value(s, "acw_images_skipped_total{reason=\"invalid-reference\"}"));
        assertEquals(1.0, value(s, "acw_images_audit_would_rewrite_total{registry=\"docker.io\",rule=\"docker-hub\"}"));
        assertEquals(1.0, value(s, "acw_admission_malformed_total"));
        assertEquals(
                bundle.certificate().getNotAfter().getTime() / 1000.0,
                value(s, "acw_tls_certificate_expiry_timestamp_seconds"));
        assertEquals(0.0, value(s, "acw_config_reloads_total{result=\"failure\"}"));
        assertTrue(value(s, "acw_config_last_success_timestamp_seconds") > 1.7e9);
        // buckets resolve below a millisecond
        assertTrue(
                s.contains("acw_admission_duration_seconds_bucket{operation=\"CREATE\",le=\"1.0E-4\"}"),
                "100 µs bucket");
        assertTrue(
                s.contains("acw_admission_duration_seconds_bucket{operation=\"CREATE\",le=\"5.0E-4\"}"),
                "500 µs bucket");
        // JVM and process metrics; HTTP server metrics are admission's own (Vert.x's could not tell the listeners
        // apart and cost 8-9% of the CPU): this scrape and the others on the ops port count nowhere
        assertTrue(s.contains("jvm_memory_used_bytes{area=\"heap\""), "JVM heap metrics, whatever the collector");
        assertTrue(s.contains("process_uptime_seconds"));
        assertTrue(!s.contains("vertx_http_server_"), "no Vert.x HTTP server metrics");
        try (RawHttps open = new RawHttps(trust, app.admissionPort())) {
            assertEquals(
                    400,
                    open.post("/mutate", "{}".getBytes(StandardCharsets.UTF_8)).status());
            assertTrue(value(scrape(), "acw_admission_connections") >= 1.0, "this connection is open");
        }

        // docs/operations.md's metrics table and what /metrics serves are the same set of acw_ families
        String readme = Files.readString(Path.of("docs/operations.md"));
        java.util.Set<String> served = new java.util.TreeSet<>();
        Matcher family = Pattern.compile("(?m)^# TYPE (acw_\\w+?)(_max)? ").matcher(s);
        while (family.find()) {
            served.add(family.group(1));
        }
        java.util.Set<String> documented = new java.util.TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| `(acw_\\w+)` \\|").matcher(readme);
        while (row.find()) {
            documented.add(row.group(1));
        }
        documented.removeIf(name -> name.startsWith("acw_pull_failures")); // served only with the report on
        documented.removeIf(name -> name.startsWith("acw_guard_")); // only with the guard on: GuardThroughTheAppTest
        assertEquals(documented, served);
    }

    @Test
    void configChangeByAtomicSymlinkSwapAppliesAndABadOneIsRefused() throws Exception {
        assertTrue(
                Reviews.decodePatch(mutate("nginx").getPatch()).contains("\"first.azurecr.io/docker/library/nginx\""));

        publish(files(config("second.azurecr.io", "enforce"), bundle));
        eventually("second login server in use", () -> {
            try {
                return Reviews.decodePatch(mutate("nginx").getPatch())
                        .contains("second.azurecr.io/docker/library/nginx");
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });

        publish(files("acrLoginServer: third.azurecr.io\nrules: [{source: 'docker.io/*', target: 'x'}]\n", bundle));
        eventually("refused reload counted", () -> {
            try {
                return value(scrape(), "acw_config_reloads_total{result=\"failure\"}") == 1.0;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        assertTrue(
                Reviews.decodePatch(mutate("nginx").getPatch()).contains("second.azurecr.io"),
                "last good config stays");
        assertEquals(1.0, value(scrape(), "acw_config_reloads_total{result=\"success\"}"));

        publish(files(config("second.azurecr.io", "audit"), bundle));
        eventually("audit mode in force", () -> {
            try {
                return mutate("nginx").getPatch() == null;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
    }

    @Test
    void rotatedCertificateServesNewHandshakesAndKeepsOpenConnections() throws Exception {
        byte[] review = Files.readAllBytes(Path.of("docs/examples/review-nginx.json"));
        try (RawHttps open = new RawHttps(trust, app.admissionPort())) {
            BigInteger before = open.peerSerial();
            assertEquals(bundle.certificate().getSerialNumber(), before);
            assertEquals(200, open.post("/mutate", review).status());

            CertificateBundle rotated = CertificateGenerator.issue(
                    bundle.caCertificate(),
                    bundle.caKey(),
                    "acr-cache-webhook.test.svc",
                    CertificateGenerator.serviceDnsNames("acr-cache-webhook", "test"),
                    List.of("127.0.0.1"),
                    Duration.ofDays(60));
            publish(files(config("first.azurecr.io", "enforce"), rotated));
            eventually("a new connection sees the new certificate", () -> {
                try (RawHttps fresh = new RawHttps(trust, app.admissionPort())) {
                    return fresh.peerSerial().equals(rotated.certificate().getSerialNumber());
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            assertEquals(
                    200,
                    open.post("/mutate", review).status(),
                    "the connection opened before the rotation still works");
            assertEquals(before, open.peerSerial());
            eventually("expiry gauge follows", () -> {
                try {
                    return value(scrape(), "acw_tls_certificate_expiry_timestamp_seconds")
                            == rotated.certificate().getNotAfter().getTime() / 1000.0;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });

            // a key that does not match its certificate is refused; the rotated pair keeps serving
            CertificateBundle other = CertificateGenerator.forService("x", "y", Duration.ofDays(1));
            publish(Map.of(
                    "config.yaml",
                    Files.readString(dir.resolve("config.yaml")),
                    "tls.crt",
                    other.certificatePem(),
                    "tls.key",
                    rotated.keyPem()));
            eventually("mismatched pair refused", () -> {
                try {
                    return value(scrape(), "acw_tls_reloads_total{result=\"failure\"}") == 1.0;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            try (RawHttps fresh = new RawHttps(trust, app.admissionPort())) {
                assertEquals(rotated.certificate().getSerialNumber(), fresh.peerSerial());
            }
        }
    }

    @Test
    void gracefulShutdownLosesNoRequestInFlight() throws Exception {
        byte[] review = Files.readAllBytes(Path.of("docs/examples/review-nginx.json"));
        try (RawHttps inFlight = new RawHttps(trust, app.admissionPort())) {
            inFlight.startPost("/mutate", review, review.length / 2);
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> app.stop(Duration.ofMillis(800)));
            HttpClient ops = HttpClient.newHttpClient();
            eventually("readiness turns false at once", () -> {
                try {
                    return ops.send(
                                            HttpRequest.newBuilder(
                                                            URI.create("http://127.0.0.1:" + app.opsPort() + "/readyz"))
                                                    .build(),
                                            HttpResponse.BodyHandlers.ofString())
                                    .statusCode()
                            == 503;
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            });
            // during the drain period new requests are still answered
            assertEquals(
                    200,
                    new RawHttps(trust, app.admissionPort())
                            .post("/mutate", review)
                            .status());
            Thread.sleep(1000); // past the drain: the listener is shutting down while our request is half sent
            inFlight.finishPost(review, review.length / 2);
            RawHttps.Response r = inFlight.read();
            assertEquals(200, r.status());
            AdmissionResponse response =
                    Reviews.answer(r.body().getBytes(StandardCharsets.UTF_8)).getResponse();
            assertEquals("705ab4f5-6393-11e8-b7cc-42010a800002", response.getUid());
            assertTrue(response.getAllowed());
            stopping.get(20, TimeUnit.SECONDS);
        }
        assertThrows(
                java.io.IOException.class,
                () -> new RawHttps(trust, app.admissionPort()),
                "no new connections after stop");
        app = null;
    }
}
