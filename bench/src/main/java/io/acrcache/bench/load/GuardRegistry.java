package io.acrcache.bench.load;

import io.acrcache.bench.Fixture;
import io.acrcache.webhook.admission.AdmissionReviewHandler;
import io.acrcache.webhook.admission.ImageDecision;
import io.acrcache.webhook.admission.ReviewPlan;
import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.testing.DistributionRegistry;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The registry the webhook's guard checks in the {@code webhook-guard} load run: Debian's {@code docker-registry} (CNCF
 * distribution 2.8, the engine behind ACR's API; started by the tests' {@link DistributionRegistry}) over TLS on
 * loopback, with the benchmark's certificate, holding an image for each rewrite of the review. The digest-pinned image
 * of the review cannot be pushed under its real digest, so the review is given the digest of an image pushed here
 * ({@link #reviewFor}); every server of the run gets that review, so they all do the same work.
 */
final class GuardRegistry implements AutoCloseable {
    static final String TRUST_STORE_PASSWORD = "bench-trust";

    private final DistributionRegistry registry;
    private final Path trustStore;

    private GuardRegistry(DistributionRegistry registry, Path trustStore) {
        this.registry = registry;
        this.trustStore = trustStore;
    }

    /** Starts the registry; fails naming the Debian package when it is not installed (never skipped). */
    static GuardRegistry start(Workspace ws) throws Exception {
        DistributionRegistry.requireBinary();
        Path dir = ws.dir.resolve("registry");
        Files.createDirectories(dir);
        X509Certificate ca;
        try (InputStream in = Files.newInputStream(ws.caFile)) {
            ca = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("bench-ca", ca);
        Path trustStore = dir.resolve("trust.p12");
        try (OutputStream out = Files.newOutputStream(trustStore)) {
            trust.store(out, TRUST_STORE_PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        DistributionRegistry registry = new DistributionRegistry(dir, null)
                .tls(ws.certFile, ws.keyFile, ssl)
                .start();
        return new GuardRegistry(registry, trustStore);
    }

    String hostPort() {
        return registry.hostPort();
    }

    /** The JVM flags that make the webhook trust this registry's certificate (the JDK's trust store, replaced). */
    List<String> trustFlags() {
        return List.of(
                "-Djavax.net.ssl.trustStore=" + trustStore,
                "-Djavax.net.ssl.trustStoreType=PKCS12",
                "-Djavax.net.ssl.trustStorePassword=" + TRUST_STORE_PASSWORD);
    }

    /**
     * Pushes an image for every rewrite of {@code review} (under this registry's login server) and returns the review
     * with its pinned digests replaced by those of the images pushed here, same length.
     */
    byte[] reviewFor(byte[] review) throws Exception {
        String text = new String(review, StandardCharsets.UTF_8);
        LoadedConfig config = Fixture.config(hostPort());
        ReviewPlan planned = new AdmissionReviewHandler(() -> config).plan(review, null);
        if (!(planned instanceof ReviewPlan.Planned p)) {
            throw new IllegalStateException("the fixture review has no plan");
        }
        for (ImageDecision d : p.plan().decisions()) {
            if (!d.isRewrite()) {
                continue;
            }
            String reference = d.rewritten().substring(hostPort().length() + 1);
            int at = reference.indexOf('@');
            if (at >= 0) {
                String repo = reference.substring(0, at);
                int tag = repo.lastIndexOf(':');
                if (tag > repo.lastIndexOf('/')) {
                    repo = repo.substring(0, tag); // name:tag@digest: the digest is what is pulled
                }
                String pinned = reference.substring(at + 1);
                String pushed = registry.pushImage(repo, "pinned");
                text = text.replace(pinned, pushed);
            } else {
                int colon = reference.lastIndexOf(':');
                registry.pushImage(reference.substring(0, colon), reference.substring(colon + 1));
            }
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException {
        registry.stop();
    }
}
