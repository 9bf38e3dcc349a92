package io.acrcache.webhook.tls;

import io.acrcache.webhook.watch.FileContentWatcher;
import io.acrcache.webhook.watch.ReloadCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.net.KeyCertOptions;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Applies a rotated serving certificate (cert-manager renewal, Secret update) without a restart: new TLS handshakes get
 * the new certificate, open connections keep theirs. A certificate and key that do not match (a half-written update)
 * are refused and the current pair keeps serving; the next change is tried again. Exposes the expiry of the certificate
 * in use.
 */
public final class CertificateReloader implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CertificateReloader.class.getName());
    public static final String RELOADS = "acw.tls.reloads";
    public static final String EXPIRY = "acw.tls.certificate.expiry.timestamp";

    private final Path certFile;
    private final Path keyFile;
    private final Function<KeyCertOptions, Future<Void>> apply;
    private final ReloadCounter reloads;
    private volatile TlsMaterial current;
    private final FileContentWatcher watcher;

    public CertificateReloader(
            Vertx vertx,
            Path certFile,
            Path keyFile,
            TlsMaterial initial,
            Function<KeyCertOptions, Future<Void>> apply,
            MeterRegistry registry,
            Duration interval) {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.apply = apply;
        this.current = initial;
        this.reloads = new ReloadCounter(registry, RELOADS, "Serving certificate reloads, by result");
        Gauge.builder(EXPIRY, this, r -> r.current.notAfter().getEpochSecond())
                .baseUnit("seconds")
                .description("When the serving certificate in use expires (Unix time)")
                .register(registry);
        this.watcher = FileContentWatcher.start(
                vertx, List.of(certFile, keyFile), interval, contents -> reload(contents.get(0), contents.get(1)));
    }

    public TlsMaterial current() {
        return current;
    }

    private void reload(byte[] certPem, byte[] keyPem) {
        TlsMaterial next;
        try {
            next = new TlsMaterial(
                    PemFiles.parseCertificates(new String(certPem, StandardCharsets.US_ASCII), certFile.toString()),
                    PemFiles.parsePrivateKey(new String(keyPem, StandardCharsets.US_ASCII), keyFile.toString()));
        } catch (Exception e) {
            reloads.failure();
            LOG.warning(
                    "new serving certificate in " + certFile + " refused, the current one stays: " + e.getMessage());
            return;
        }
        apply.apply(ServerTlsOptions.keyCert(next)).onComplete(ar -> {
            if (ar.succeeded()) {
                current = next;
                reloads.success();
                LOG.info("serving certificate reloaded: serial "
                        + next.serialNumber().toString(16) + ", expires " + next.notAfter());
            } else {
                reloads.failure();
                LOG.warning("applying the new serving certificate failed, the current one stays: " + ar.cause());
            }
        });
    }

    @Override
    public void close() {
        watcher.close();
    }
}
