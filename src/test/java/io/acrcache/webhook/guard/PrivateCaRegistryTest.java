package io.acrcache.webhook.guard;

import io.acrcache.webhook.azure.FakeTls;
import io.acrcache.webhook.guard.auth.Challenges;
import io.acrcache.webhook.testing.LogCapture;
import io.acrcache.webhook.tls.TrustBundles;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A registry behind a private CA: without {@code guard.caFile} the guard says what to do once (not a bare
 * SSLHandshakeException); with it, the registry answers and public CAs stay trusted.
 */
class PrivateCaRegistryTest {
    private Vertx vertx;
    private HttpServer registry;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        registry = FakeTls.https(vertx, req -> req.response().setStatusCode(200).end("{}"));
    }

    @AfterEach
    void stop() {
        vertx.close().await();
    }

    private RegistryPing ping(WebClientOptions options) {
        GuardSettings settings = GuardSettings.builder().build();
        return new RegistryPing(WebClient.create(vertx, options), new Challenges(), settings, Clock.systemUTC());
    }

    @Test
    void anUntrustedCertificateIsExplainedOnceNamingGuardCaFile() {
        LogCapture capture = LogCapture.root();
        try {
            RegistryPing ping = ping(new WebClientOptions());
            String login = "localhost:" + registry.actualPort();
            assertEquals(
                    ProbeResult.Outcome.UNAVAILABLE, ping.ping(login).await().outcome());
            assertEquals(
                    ProbeResult.Outcome.UNAVAILABLE, ping.ping(login).await().outcome());
            long said = capture.records().stream()
                    .map(LogRecord::getMessage)
                    .filter(m -> m != null && m.contains("set guard.caFile"))
                    .count();
            assertEquals(1, said, "once per login server");
        } finally {
            capture.detach();
        }
    }

    @Test
    void withTheCaBundleTheRegistryAnswers(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), FakeTls.CA.caCertificatePem());
        RegistryPing ping = ping(new WebClientOptions().setTrustOptions(TrustBundles.jvmPlus(ca)));
        assertEquals(
                ProbeResult.Outcome.SERVABLE,
                ping.ping("localhost:" + registry.actualPort()).await().outcome());
    }

    @Test
    void theBundleAddsToTheJvmsCasAndRefusesAFileWithoutCertificates(@TempDir Path dir) throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), FakeTls.CA.caCertificatePem());
        javax.net.ssl.X509TrustManager tm = (javax.net.ssl.X509TrustManager)
                TrustBundles.jvmPlus(ca).getTrustManagerFactory(vertx).getTrustManagers()[0];
        javax.net.ssl.TrustManagerFactory jvm =
                javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        jvm.init((java.security.KeyStore) null);
        int jvmCas = ((javax.net.ssl.X509TrustManager) jvm.getTrustManagers()[0]).getAcceptedIssuers().length;
        assertEquals(jvmCas + 1, tm.getAcceptedIssuers().length, "the JVM's CAs and ours");
        Path empty = Files.writeString(dir.resolve("empty.pem"), "nothing here\n");
        try {
            TrustBundles.jvmPlus(empty);
            throw new AssertionError("a file without certificates was accepted");
        } catch (java.io.IOException e) {
            assertTrue(e.getMessage().contains("no PEM CERTIFICATE found"), e.getMessage());
        }
    }
}
