package io.acrcache.webhook.azure;

import io.acrcache.webhook.outbound.OutboundException;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.client.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static io.acrcache.webhook.azure.FakeTls.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The production client sets no trust options, so it must trust exactly what the JVM's standard settings say:
 * {@code -Djavax.net.ssl.trustStore=...} makes a server signed by a private CA reachable, and without it the same
 * server is refused. Each case runs in a fresh JVM, because the JDK reads those properties once.
 */
class JdkTrustStoreTest {
    @TempDir
    Path dir;

    private Vertx vertx;
    private HttpServer server;

    @BeforeEach
    void start() {
        vertx = Vertx.vertx();
        server = FakeTls.https(vertx, request -> request.response().end("trusted"));
    }

    @AfterEach
    void stop() {
        await(server.close());
        await(vertx.close());
    }

    /** Run in the child JVM: GET the URL with {@link AzureHttp#client} and print the status and body. */
    public static void main(String[] args) {
        Vertx vertx = Vertx.vertx();
        try {
            HttpResponse<io.vertx.core.buffer.Buffer> response = AzureHttp.client(
                            vertx, new AzureHttp.Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(10)))
                    .getAbs(args[0])
                    .send()
                    .toCompletionStage()
                    .toCompletableFuture()
                    .get(20, TimeUnit.SECONDS);
            System.out.println("STATUS " + response.statusCode() + " " + response.bodyAsString());
        } catch (Exception e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            System.out.println(
                    "FAILED " + OutboundException.transport(cause, "probe").describe());
        } finally {
            vertx.close();
        }
        System.exit(0);
    }

    private String child(String... properties) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(properties));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(JdkTrustStoreTest.class.getName());
        command.add("https://localhost:" + server.actualPort() + "/");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "child JVM finished");
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), out);
        return out;
    }

    private Path trustStore() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("test-ca", FakeTls.CA.caCertificate());
        Path file = dir.resolve("truststore.p12");
        try (OutputStream out = Files.newOutputStream(file)) {
            store.store(out, "changeit".toCharArray());
        }
        return file;
    }

    @Test
    void honoursJavaxNetSslTrustStore() throws Exception {
        String out = child(
                "-Djavax.net.ssl.trustStore=" + trustStore(),
                "-Djavax.net.ssl.trustStorePassword=changeit",
                "-Djavax.net.ssl.trustStoreType=PKCS12");
        assertTrue(out.contains("STATUS 200 trusted"), out);
    }

    @Test
    void withoutItThePrivateCaIsNotTrusted() throws Exception {
        String out = child();
        assertTrue(out.contains("FAILED connection"), out);
    }
}
