package io.acrcache.webhook.server;

import io.acrcache.webhook.WebhookApp;
import io.acrcache.webhook.testing.Gen;
import io.acrcache.webhook.testing.Kubeconfigs;
import io.acrcache.webhook.testing.LogCapture;
import io.acrcache.webhook.testing.TestConfigs;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.LogRecord;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Query parameters and paths of the ops listener fuzzed like the admission bodies: whatever a caller sends to
 * {@code /pull-failures}, {@code /rules}, {@code /doctor}, {@code /metrics} or anywhere else, the answer is not a 5xx
 * and nothing logs a stack trace. Requests are written as raw bytes, so paths no HTTP client would build arrive too.
 */
class OpsFuzzTest {
    private static final List<String> PATHS =
            List.of("/pull-failures", "/rules", "/doctor", "/metrics", "/healthz", "/readyz", "/", "/nope");
    private static final List<String> PARAMS =
            List.of("since", "namespace", "category", "image", "limit", "refresh", "format", "x");
    private static final String WILD = "%/?&=#;.~-_:@!$'()*+,\\\"<>[]{}|^` \t\u00e9\u0000";

    @TempDir
    static Path dir;

    static KubernetesMockServer api;
    static WebhookApp app;
    static Kubeconfigs.Pointed kubeconfig;

    @BeforeAll
    static void start() throws Exception {
        api = new KubernetesMockServer(
                new Context(), new MockWebServer(), new HashMap<>(), new KubernetesCrudDispatcher(), false);
        api.init();
        kubeconfig = Kubeconfigs.use(dir.resolve("kubeconfig"), api.url("/"));
        app = WebhookApp.start(
                TestConfigs.yaml(
                        "server: {host: 127.0.0.1, port: 0}\nops: {host: 127.0.0.1, port: 0}\n",
                        Map.of("ACW_PULL_FAILURES_ENABLED", "true", "ACW_OPS_AUTH", "none")),
                new WebhookApp.Options(null, Map.of(), dir.resolve("certs"), 1, Duration.ofSeconds(5)));
    }

    @AfterAll
    static void stop() {
        app.stop(Duration.ZERO);
        api.destroy();
        kubeconfig.close();
    }

    /** One request line: a known or odd path, then zero to three parameters with odd names and values. */
    static String target(Gen g) {
        StringBuilder t = new StringBuilder(g.pick(PATHS));
        if (g.between(0, 4) == 0) {
            t.append(g.string(WILD + "abc/", 1, 12));
        }
        int params = g.between(0, 3);
        for (int i = 0; i < params; i++) {
            t.append(i == 0 ? '?' : '&')
                    .append(g.between(0, 3) == 0 ? g.string(WILD + "ab", 0, 6) : g.pick(PARAMS))
                    .append('=')
                    .append(g.<String>oneOf(
                            x -> x.string(WILD + "0123456789hms", 0, 20),
                            x -> String.valueOf(x.nextLong()),
                            x -> x.pick("1h", "-5m", "9999999999999h", "0", "", "true", "shop", "not-rewritten")));
        }
        return t.toString();
    }

    /** The status code of a raw GET; -1 when the server closed the connection without an answer. */
    static int get(String target) throws Exception {
        try (Socket s = new Socket("127.0.0.1", app.opsPort())) {
            s.setSoTimeout(20_000);
            s.getOutputStream()
                    .write(("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
            byte[] head = s.getInputStream().readNBytes(12);
            String status = new String(head, StandardCharsets.ISO_8859_1);
            return status.startsWith("HTTP/1.1 ") ? Integer.parseInt(status.substring(9, 12)) : -1;
        }
    }

    @Test
    void fuzzedQueriesAndPathsNeverGetA5xxNorAStackTrace() throws Exception {
        LogCapture capture = LogCapture.root();
        try {
            Gen.cases(300, OpsFuzzTest::target)
                    .forEach(c -> c.check(target -> {
                        int status = get(target);
                        // 400 for a request line the parser refuses is the client's mistake, as is a closed socket
                        assertTrue(status < 500, target + " -> " + status);
                    }));
        } finally {
            capture.detach();
        }
        for (LogRecord r : capture.records()) {
            assertTrue(r.getThrown() == null, "stack trace logged: " + r.getMessage() + " " + r.getThrown());
        }
    }
}
