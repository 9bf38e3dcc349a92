package io.acrcache.webhook.chart;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough of a kube-apiserver for the chart's {@code lookup "v1" "Secret" ...}: discovery of the core group and GET
 * of one Secret (404 unless a test stored it). Anything else is answered 404 and recorded, so a test can see what Helm
 * asked for.
 *
 * <p>Why it exists: helm-java 0.0.17 runs {@code template} with dry-run option "none", which makes Helm's
 * {@code lookup} query the cluster of the current kubeconfig (the Helm CLI's {@code helm template} does not). Pointing
 * KUBECONFIG at this server keeps chart tests off any real cluster and lets them exercise the "Secret already exists"
 * branch of the chart (an upgrade).
 */
final class FakeKubeApiServer implements AutoCloseable {

    private static final Pattern SECRET_PATH = Pattern.compile("^/api/v1/namespaces/([^/]+)/secrets/([^/]+)$");
    private static final String CORE_V1_RESOURCES = """
      {"kind":"APIResourceList","apiVersion":"v1","groupVersion":"v1","resources":[
        {"name":"secrets","singularName":"secret","namespaced":true,"kind":"Secret",
         "verbs":["create","delete","get","list","patch","update","watch"]},
        {"name":"configmaps","singularName":"configmap","namespaced":true,"kind":"ConfigMap",
         "verbs":["create","delete","get","list","patch","update","watch"]}]}
      """;

    private final KubernetesSerialization serialization = new KubernetesSerialization();
    private final HttpServer server;
    private final Map<String, Secret> secrets = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();

    FakeKubeApiServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext("/", this::handle);
        server.start();
    }

    /** Writes a kubeconfig whose only cluster is this server. */
    void writeKubeconfig(Path file) {
        String kubeconfig = """
        apiVersion: v1
        kind: Config
        clusters:
          - name: fake
            cluster:
              server: http://127.0.0.1:%d
        users:
          - name: fake
            user: {}
        contexts:
          - name: fake
            context:
              cluster: fake
              user: fake
              namespace: default
        current-context: fake
        """.formatted(server.getAddress().getPort());
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, kubeconfig);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Makes GET of this Secret answer with it until {@link #clear()}. */
    void putSecret(Secret secret) {
        secrets.put(
                key(secret.getMetadata().getNamespace(), secret.getMetadata().getName()), secret);
    }

    /** Forgets stored Secrets and recorded requests. */
    void clear() {
        secrets.clear();
        requests.clear();
    }

    /** "METHOD path" of every request since the last {@link #clear()}. */
    List<String> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        requests.add(method + " " + path);
        if (!method.equals("GET")) {
            respond(exchange, 405, status(405, "MethodNotAllowed", "read-only fake"));
            return;
        }
        if (path.equals("/api/v1")) {
            respond(exchange, 200, CORE_V1_RESOURCES);
            return;
        }
        Matcher secret = SECRET_PATH.matcher(path);
        if (secret.matches()) {
            Secret found = secrets.get(key(secret.group(1), secret.group(2)));
            if (found != null) {
                respond(exchange, 200, serialization.asJson(found));
                return;
            }
        }
        respond(exchange, 404, status(404, "NotFound", path + " not found"));
    }

    private static String status(int code, String reason, String message) {
        return "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},\"status\":\"Failure\","
                + "\"message\":\""
                + message.replace("\"", "'")
                + "\",\"reason\":\""
                + reason
                + "\",\"code\":"
                + code
                + "}";
    }

    private static void respond(HttpExchange exchange, int code, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String key(String namespace, String name) {
        return namespace + "/" + name;
    }
}
