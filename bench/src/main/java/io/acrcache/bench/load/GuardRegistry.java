package io.acrcache.bench.load;

import io.acrcache.bench.Fixture;
import io.acrcache.webhook.admission.AdmissionReviewHandler;
import io.acrcache.webhook.admission.ImageDecision;
import io.acrcache.webhook.admission.ReviewPlan;
import io.acrcache.webhook.config.LoadedConfig;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The registry the webhook's guard checks in the {@code webhook-guard} load run: Debian's {@code docker-registry} (CNCF
 * distribution 2.8, the engine behind ACR's API) over TLS on loopback, with the benchmark's certificate, holding an
 * image for each rewrite of the review. The digest-pinned image of the review cannot be pushed under its real digest,
 * so the review is given the digest of an image pushed here ({@link #reviewFor}); every server of the run gets that
 * review, so they all do the same work.
 */
final class GuardRegistry implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/docker-registry");
    static final String TRUST_STORE_PASSWORD = "bench-trust";

    private final Path dir;
    private final int port;
    private final HttpClient http;
    private final Path trustStore;
    private Process process;

    private GuardRegistry(Path dir, int port, HttpClient http, Path trustStore) {
        this.dir = dir;
        this.port = port;
        this.http = http;
        this.trustStore = trustStore;
    }

    /** Starts the registry; fails naming the Debian package when it is not installed (never skipped). */
    static GuardRegistry start(Workspace ws) throws Exception {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException("the webhook-guard benchmark needs Debian's docker-registry package (CNCF"
                    + " distribution 2.8): " + BINARY + " is missing; install it with `apt-get install -y"
                    + " docker-registry`");
        }
        Path dir = ws.dir.resolve("registry");
        Files.createDirectories(dir.resolve("data"));
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
        HttpClient http = HttpClient.newBuilder()
                .sslContext(ssl)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
        GuardRegistry registry = new GuardRegistry(dir, Workspace.freePort(), http, trustStore);
        registry.launch(ws);
        return registry;
    }

    private void launch(Workspace ws) throws Exception {
        String config = "version: 0.1\n"
                + "log:\n  level: warn\n  accesslog:\n    disabled: true\n"
                + "storage:\n  filesystem:\n    rootdirectory: " + dir.resolve("data") + "\n"
                + "http:\n  addr: " + hostPort() + "\n  secret: bench-secret\n"
                + "  tls:\n    certificate: " + ws.certFile + "\n    key: " + ws.keyFile + "\n";
        Path file = dir.resolve("config.yml");
        Files.writeString(file, config);
        process = new ProcessBuilder(BINARY.toString(), "serve", file.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("registry.log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                if (send(HttpRequest.newBuilder(uri("/v2/")).GET()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new IllegalStateException(
                        "docker-registry did not start: " + Files.readString(dir.resolve("registry.log")));
            }
            Thread.sleep(50);
        }
    }

    String hostPort() {
        return "127.0.0.1:" + port;
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
                String pushed = pushImage(repo, "pinned");
                text = text.replace(pinned, pushed);
            } else {
                int colon = reference.lastIndexOf(':');
                pushImage(reference.substring(0, colon), reference.substring(colon + 1));
            }
        }
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A minimal OCI image (config and one layer) under {@code tag}; returns the manifest's digest. */
    private String pushImage(String repo, String tag) throws Exception {
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
                        + "\"diff_ids\":[]},\"config\":{\"Labels\":{\"image\":\"" + repo + ":" + tag + "\"}}}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] layer = ("layer of " + repo + ":" + tag).getBytes(StandardCharsets.UTF_8);
        String configDigest = pushBlob(repo, config);
        String layerDigest = pushBlob(repo, layer);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                        + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                        + configDigest + "\",\"size\":" + config.length + "},"
                        + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\""
                        + layerDigest + "\",\"size\":" + layer.length + "}]}")
                .getBytes(StandardCharsets.UTF_8);
        check(
                201,
                send(HttpRequest.newBuilder(uri("/v2/" + repo + "/manifests/" + tag))
                        .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest))),
                "manifest " + repo + ":" + tag);
        return digest(manifest);
    }

    private String pushBlob(String repo, byte[] content) throws Exception {
        String digest = digest(content);
        HttpResponse<String> started = send(HttpRequest.newBuilder(uri("/v2/" + repo + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        check(202, started, "blob upload start");
        URI upload = uri("/").resolve(started.headers().firstValue("Location").orElseThrow());
        String sep = upload.getRawQuery() == null ? "?" : "&";
        check(
                201,
                send(HttpRequest.newBuilder(URI.create(upload + sep + "digest=" + digest))
                        .header("Content-Type", "application/octet-stream")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(content))),
                "blob upload");
        return digest;
    }

    private URI uri(String path) {
        return URI.create("https://" + hostPort() + path);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void check(int expected, HttpResponse<String> r, String what) {
        if (r.statusCode() != expected) {
            throw new IllegalStateException(what + ": " + r.statusCode() + " " + r.body());
        }
    }

    private static String digest(byte[] content) throws Exception {
        return "sha256:"
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
