package io.acrcache.webhook.tls;

import io.acrcache.webhook.testing.AtomicFiles;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

import static io.acrcache.webhook.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(VertxExtension.class)
class CertificateReloaderTest {
    @TempDir
    Path dir;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<KeyCertOptions> applied = new CopyOnWriteArrayList<>();

    private final CertificateBundle first = CertificateGenerator.forService("s", "ns", Duration.ofDays(10));

    /** A reloader on tls.crt and tls.key holding {@code first}, handing new pairs to {@code apply}. */
    private CertificateReloader reloader(Vertx vertx, Function<KeyCertOptions, Future<Void>> apply) throws Exception {
        Path cert = AtomicFiles.write(dir.resolve("tls.crt"), first.certificatePem());
        Path key = AtomicFiles.write(dir.resolve("tls.key"), first.keyPem());
        return new CertificateReloader(
                vertx, cert, key, TlsMaterial.load(cert, key), apply, registry, Duration.ofMillis(20));
    }

    private Future<Void> accept(KeyCertOptions options) {
        applied.add(options);
        return Future.succeededFuture();
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
    void aRotatedPairIsAppliedAndItsExpiryShown(Vertx vertx) throws Exception {
        try (CertificateReloader r = reloader(vertx, this::accept)) {
            assertEquals(first.certificate().getNotAfter().toInstant().getEpochSecond(), (long) expiry());
            CertificateBundle second = CertificateGenerator.forService("s", "ns", Duration.ofDays(20));
            AtomicFiles.write(dir.resolve("tls.key"), second.keyPem());
            AtomicFiles.write(dir.resolve("tls.crt"), second.certificatePem());
            eventually("the rotation", () -> count("success") >= 1);
            eventually(
                    "the new expiry",
                    () -> (long) expiry()
                            == second.certificate().getNotAfter().toInstant().getEpochSecond());
            assertTrue(!applied.isEmpty());
        }
    }

    @Test
    void aMismatchedPairIsRefusedAndTheCurrentOneKept(Vertx vertx) throws Exception {
        try (CertificateReloader r = reloader(vertx, this::accept)) {
            CertificateBundle other = CertificateGenerator.forService("x", "y", Duration.ofDays(30));
            AtomicFiles.write(dir.resolve("tls.key"), other.keyPem());
            eventually("the refusal", () -> count("failure") == 1);
            assertEquals(List.of(), applied, "never handed to the server");
            assertEquals(first.certificate().getNotAfter().toInstant().getEpochSecond(), (long) expiry());
        }
    }

    @Test
    void aPairTheServerRejectsIsCountedAsFailure(Vertx vertx) throws Exception {
        try (CertificateReloader r = reloader(vertx, options -> Future.failedFuture("server said no"))) {
            CertificateBundle second = CertificateGenerator.forService("s", "ns", Duration.ofDays(20));
            AtomicFiles.write(dir.resolve("tls.key"), second.keyPem());
            AtomicFiles.write(dir.resolve("tls.crt"), second.certificatePem());
            eventually("the failure", () -> count("failure") >= 1);
            assertEquals(0, count("success"));
            assertEquals(first.certificate().getNotAfter().toInstant().getEpochSecond(), (long) expiry());
        }
    }
}
