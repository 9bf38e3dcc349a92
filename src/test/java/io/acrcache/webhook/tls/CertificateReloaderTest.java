package io.acrcache.webhook.tls;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.acrcache.webhook.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CertificateReloaderTest {
    private final Vertx vertx = Vertx.vertx();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<KeyCertOptions> applied = new CopyOnWriteArrayList<>();

    @TempDir
    Path dir;

    @AfterEach
    void close() {
        vertx.close().await();
    }

    private double count(String result) {
        return registry.get(CertificateReloader.RELOADS)
                .tag("result", result)
                .counter()
                .count();
    }

    private double expiry() {
        return registry.get(CertificateReloader.EXPIRY).gauge().value();
    }

    @Test
    void aRotatedPairIsAppliedAndItsExpiryShown() throws Exception {
        CertificateBundle first = CertificateGenerator.forService("s", "ns", Duration.ofDays(10));
        Path cert = Files.writeString(dir.resolve("tls.crt"), first.certificatePem());
        Path key = Files.writeString(dir.resolve("tls.key"), first.keyPem());
        try (CertificateReloader r = new CertificateReloader(
                vertx,
                cert,
                key,
                TlsMaterial.load(cert, key),
                options -> {
                    applied.add(options);
                    return Future.succeededFuture();
                },
                registry,
                Duration.ofMillis(20))) {
            assertEquals(first.certificate().getNotAfter().toInstant().getEpochSecond(), (long) expiry());
            CertificateBundle second = CertificateGenerator.forService("s", "ns", Duration.ofDays(20));
            Files.writeString(key, second.keyPem());
            Files.writeString(cert, second.certificatePem());
            eventually("the rotation", () -> count("success") >= 1);
            eventually(
                    "the new expiry",
                    () -> (long) expiry()
                            == second.certificate().getNotAfter().toInstant().getEpochSecond());
            assertTrue(!applied.isEmpty());
        }
    }

    @Test
    void aMismatchedPairIsRefusedAndTheCurrentOneKept() throws Exception {
        CertificateBundle first = CertificateGenerator.forService("s", "ns", Duration.ofDays(10));
        Path cert = Files.writeString(dir.resolve("tls.crt"), first.certificatePem());
        Path key = Files.writeString(dir.resolve("tls.key"), first.keyPem());
        try (CertificateReloader r = new CertificateReloader(
                vertx,
                cert,
                key,
                TlsMaterial.load(cert, key),
                options -> {
                    applied.add(options);
                    return Future.succeededFuture();
                },
                registry,
                Duration.ofMillis(20))) {
            CertificateBundle other = CertificateGenerator.forService("x", "y", Duration.ofDays(30));
            Files.writeString(key, other.keyPem());
            eventually("the refusal", () -> count("failure") == 1);
            assertEquals(List.of(), applied, "never handed to the server");
            assertEquals(first.certificate().getNotAfter().toInstant().getEpochSecond(), (long) expiry());
        }
    }

    @Test
    void aPairTheServerRejectsIsCountedAsFailure() throws Exception {
        CertificateBundle first = CertificateGenerator.forService("s", "ns", Duration.ofDays(10));
        Path cert = Files.writeString(dir.resolve("tls.crt"), first.certificatePem());
        Path key = Files.writeString(dir.resolve("tls.key"), first.keyPem());
        try (CertificateReloader r = new CertificateReloader(
                vertx,
                cert,
                key,
                TlsMaterial.load(cert, key),
                options -> Future.failedFuture("server said no"),
                registry,
                Duration.ofMillis(20))) {
            CertificateBundle second = CertificateGenerator.forService("s", "ns", Duration.ofDays(20));
            Files.writeString(key, second.keyPem());
            Files.writeString(cert, second.certificatePem());
            eventually("the failure", () -> count("failure") >= 1);
            assertEquals(0, count("success"));
            assertEquals(first.certificate().getNotAfter().toInstant().getEpochSecond(), (long) expiry());
        }
    }
}
