package io.acrcache.webhook.testing;

import javax.net.ssl.SSLContext;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;

/**
 * A real CNCF distribution registry (Debian's {@code docker-registry} package, 2.8.x) on loopback, plain HTTP or TLS,
 * either as a plain registry or as a pull-through cache in front of another one. Its data directory survives
 * {@link #stop()} so it can be started again on the same port. Shared with the benchmarks (the test jar carries this
 * class alone), whose guarded webhook checks such a registry over TLS.
 */
public final class DistributionRegistry implements AutoCloseable {
    /** System property naming the binary, for a registry that is not {@code docker-registry} on the PATH. */
    public static final String PROPERTY = "acw.dockerRegistry";

    static final String NAME = "docker-registry";

    public final Path dir;
    public final int port;
    private final String proxyRemote;
    /** Extra top-level YAML (e.g. an {@code auth:} section), written into the config on start. */
    public volatile String extraConfig = "";

    private HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private String scheme = "http";
    private String tls = "";
    private Process process;

    /** Fails, naming the Debian package and both ways to name the binary, when it is missing: never skipped. */
    public static void requireBinary() {
        binary();
    }

    /** The binary: {@code -Dacw.dockerRegistry=PATH}, else {@code docker-registry} on the PATH. */
    public static Path binary() {
        return locate(System.getProperty(PROPERTY), System.getenv("PATH"));
    }

    static Path locate(String property, String pathVariable) {
        if (property != null && !property.isBlank()) {
            Path named = Path.of(property.trim());
            if (!Files.isRegularFile(named) || !Files.isExecutable(named)) {
                throw new AssertionError("-D" + PROPERTY + "=" + property + " is not an executable file: name"
                        + " CNCF distribution 2.8's registry binary (Debian's docker-registry package)");
            }
            return named;
        }
        for (String entry : (pathVariable == null ? "" : pathVariable).split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(entry, NAME);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError("this needs Debian's docker-registry package (CNCF distribution 2.8): no " + NAME
                + " on the PATH and no -D" + PROPERTY + "=/path/to/registry given; install it with"
                + " `apt-get install -y docker-registry` (.ci/run does), or name the binary with -D" + PROPERTY
                + "=/path/to/registry (e.g. mvn -D" + PROPERTY + "=... verify)");
    }

    public DistributionRegistry(Path dir, String proxyRemote) throws IOException {
        this.dir = dir;
        this.proxyRemote = proxyRemote;
        try (ServerSocket s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
    }

    /** Serves TLS with this certificate and key (PEM); {@code trust} is what this class's own client trusts. */
    public DistributionRegistry tls(Path certificate, Path key, SSLContext trust) {
        this.scheme = "https";
        this.tls = "  tls:\n    certificate: " + certificate + "\n    key: " + key + "\n";
        this.http = HttpClient.newBuilder()
                .sslContext(trust)
                .connectTimeout(Duration.ofSeconds(2))
                .build();
        return this;
    }

    public String hostPort() {
        return "127.0.0.1:" + port;
    }

    public String url() {
        return scheme + "://" + hostPort();
    }

    public DistributionRegistry start() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        String config = "version: 0.1\n"
                + "log:\n  level: warn\n  accesslog:\n    disabled: true\n"
                + "storage:\n  filesystem:\n    rootdirectory: " + dir.resolve("data") + "\n"
                + "  delete:\n    enabled: true\n"
                + "http:\n  addr: " + hostPort() + "\n  secret: guard-test-secret\n"
                + tls
                + (proxyRemote == null ? "" : "proxy:\n  remoteurl: " + proxyRemote + "\n")
                + extraConfig;
        Path file = dir.resolve("config.yml");
        Files.writeString(file, config);
        process = new ProcessBuilder(binary().toString(), "serve", file.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("registry.log").toFile())
                .start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            try {
                int status = get("/v2/").statusCode();
                if (status == 200 || status == 401) {
                    return this;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError(
                        "docker-registry did not start: " + Files.readString(dir.resolve("registry.log")));
            }
            Thread.sleep(50);
        }
    }

    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            process = null;
        }
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(url() + path)).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Pushes a blob through the upload API (POST, then a monolithic PUT); returns its digest. */
    public String pushBlob(String repo, byte[] content) throws Exception {
        String digest = digest(content);
        HttpResponse<String> started = http.send(
                HttpRequest.newBuilder(URI.create(url() + "/v2/" + repo + "/blobs/uploads/"))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        check(202, started, "blob upload start");
        String location = started.headers().firstValue("Location").orElseThrow();
        URI upload = URI.create(url()).resolve(location);
        String sep = upload.getRawQuery() == null ? "?" : "&";
        HttpResponse<String> done = http.send(
                HttpRequest.newBuilder(URI.create(upload + sep + "digest=" + digest))
                        .header("Content-Type", "application/octet-stream")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(content))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        check(201, done, "blob upload");
        return digest;
    }

    /** Pushes a minimal OCI image (config + one layer) under the tag; returns the manifest's digest. */
    public String pushImage(String repo, String tag) throws Exception {
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
                        + "\"diff_ids\":[]},\"config\":{\"Labels\":{\"tag\":\"" + tag + "\"}}}")
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
        HttpResponse<String> put = http.send(
                HttpRequest.newBuilder(URI.create(url() + "/v2/" + repo + "/manifests/" + tag))
                        .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        check(201, put, "manifest put");
        return digest(manifest);
    }

    private static void check(int expected, HttpResponse<String> r, String what) {
        if (r.statusCode() != expected) {
            throw new AssertionError(what + ": " + r.statusCode() + " " + r.body());
        }
    }

    public static String digest(byte[] content) throws Exception {
        return "sha256:"
                + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
    }

    @Override
    public void close() throws Exception {
        stop();
    }
}
