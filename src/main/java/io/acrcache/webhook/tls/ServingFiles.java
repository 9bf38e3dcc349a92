package io.acrcache.webhook.tls;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The admission listener's certificate and key files, and what they held at start: the configured ones, or development
 * certificates generated (or reused) in a folder when none are configured, so that the quick start runs with no set-up.
 */
public record ServingFiles(Path cert, Path key, TlsMaterial material) {
    private static final Logger LOG = Logger.getLogger(ServingFiles.class.getName());

    /**
     * @param certFile {@code server.tlsCertFile}, null or empty when not configured
     * @param keyFile {@code server.tlsKeyFile}
     * @param devCertDir where development certificates go; a temporary folder when it cannot be created
     */
    public static ServingFiles resolve(String certFile, String keyFile, Path devCertDir) throws IOException {
        if (certFile != null && !certFile.isEmpty()) {
            return of(Path.of(certFile), Path.of(keyFile));
        }
        Path dir = devCertDir;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            dir = Files.createTempDirectory("acr-cache-webhook-certs");
        }
        DevCertificates dev = DevCertificates.ensure(dir);
        LOG.warning((dev.generated() ? "generated development certificates in " : "using development certificates in ")
                + dir.toAbsolutePath() + " (no server.tlsCertFile configured; the CA is " + dev.caFile() + ")");
        return of(dev.certFile(), dev.keyFile());
    }

    private static ServingFiles of(Path cert, Path key) throws IOException {
        return new ServingFiles(cert, key, TlsMaterial.load(cert, key));
    }

    /** The listener's key and certificate as loaded at start. */
    public KeyCertOptions keyCert() {
        return ServerTlsOptions.keyCert(material);
    }

    /** Follows the files: a renewed certificate is loaded and handed to {@code apply} without a restart. */
    public CertificateReloader reloader(
            Vertx vertx, Function<KeyCertOptions, Future<Void>> apply, MeterRegistry meters, Duration interval) {
        return new CertificateReloader(vertx, cert, key, material, apply, meters, interval);
    }
}
