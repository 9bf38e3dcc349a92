package io.acrcache.webhook.tls;

import io.acrcache.webhook.watch.FileSource;
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

    private final FileSource<TlsMaterial> source;

    public CertificateReloader(
            Vertx vertx,
            Path certFile,
            Path keyFile,
            TlsMaterial initial,
            Function<KeyCertOptions, Future<Void>> apply,
            MeterRegistry registry,
            Duration interval) {
        this.source = new FileSource<>(
                vertx,
                "serving certificate",
                List.of(certFile, keyFile),
                interval,
                initial,
                contents -> new TlsMaterial(
                        PemFiles.parseCertificates(
                                new String(contents.get(0), StandardCharsets.US_ASCII), certFile.toString()),
                        PemFiles.parsePrivateKey(
                                new String(contents.get(1), StandardCharsets.US_ASCII), keyFile.toString())),
                (previous, next) -> apply.apply(ServerTlsOptions.keyCert(next))
                        .onSuccess(v -> LOG.info("serving certificate reloaded: serial "
                                + next.serialNumber().toString(16) + ", expires " + next.notAfter())),
                registry,
                RELOADS,
                "Serving certificate reloads, by result");
        Gauge.builder(EXPIRY, source, s -> s.current().notAfter().getEpochSecond())
                .baseUnit("seconds")
                .description("When the serving certificate in use expires (Unix time)")
                .register(registry);
    }

    @Override
    public void close() {
        source.close();
    }
}
