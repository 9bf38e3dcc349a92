package io.acrcache.webhook;

import io.acrcache.webhook.testing.Kubeconfigs;
import io.acrcache.webhook.testing.LogCapture;
import io.acrcache.webhook.testing.TestConfigs;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static io.acrcache.webhook.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pull-failure report is a companion: whatever becomes of it, admission is served and ready. */
class ReportCompanionTest {
    /** Fabric8 reads this system property before the KUBECONFIG variable. */
    private static final String KUBECONFIG_PROPERTY = "kubeconfig";

    @TempDir
    Path dir;

    private String before;
    private LogCapture capture;

    @BeforeEach
    void remember() {
        before = System.getProperty(KUBECONFIG_PROPERTY);
        capture = LogCapture.root();
    }

    @AfterEach
    void restore() {
        capture.detach();
        if (before == null) {
            System.clearProperty(KUBECONFIG_PROPERTY);
        } else {
            System.setProperty(KUBECONFIG_PROPERTY, before);
        }
    }

    private WebhookApp start() throws Exception {
        return WebhookApp.start(
                TestConfigs.yaml(
                        "server: {host: 127.0.0.1, port: 0}\nops: {host: 127.0.0.1, port: 0}\n",
                        Map.of("ACW_PULL_FAILURES_ENABLED", "true")),
                new WebhookApp.Options(null, Map.of(), dir.resolve("certs"), 1, Duration.ofSeconds(5)));
    }

    private static HttpResponse<String> get(WebhookApp app, String path) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.opsPort() + path))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withoutRbacOnEventsTheWebhookIsReadyAndSaysTheReportIsNot() throws Exception {
        KubernetesMockServer api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), false);
        api.init();
        String forbidden = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"Forbidden\","
                + "\"code\":403,\"message\":\"events is forbidden: User \\\"system:serviceaccount:acw:acw\\\" cannot"
                + " list resource \\\"events\\\" in API group \\\"\\\" at the cluster scope\"}";
        api.expect()
                .withPath("/api/v1/events?fieldSelector=type%3DWarning&resourceVersion=0")
                .andReturn(403, forbidden)
                .always();
        api.expect()
                .withPath("/api/v1/events?fieldSelector=type%3DWarning")
                .andReturn(403, forbidden)
                .always();
        Path kubeconfig = Kubeconfigs.write(dir.resolve("kubeconfig"), api.url("/"));
        System.setProperty(KUBECONFIG_PROPERTY, kubeconfig.toString());
        WebhookApp app = start();
        try {
            eventually("the API server refused the list", () -> api.getRequestCount() >= 1);
            HttpResponse<String> ready = get(app, "/readyz");
            assertEquals(200, ready.statusCode(), ready.body());
            assertTrue(ready.body().contains("\"companions\":{\"event-informer\":\"not ready\"}"), ready.body());
        } finally {
            capture.records().clear();
            app.stop(Duration.ZERO);
            api.destroy();
        }
        Thread.sleep(300);
        for (LogRecord r : capture.records()) {
            assertTrue(r.getThrown() == null, "stack trace on shutdown: " + r.getMessage() + " " + r.getThrown());
        }
    }

    @Test
    void withNoClusterAtAllItSaysSoAtOnceAndServes() throws Exception {
        System.setProperty(
                KUBECONFIG_PROPERTY, dir.resolve("missing-kubeconfig").toString());
        long start = System.nanoTime();
        WebhookApp app = start();
        try {
            assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "no waiting for DNS");
            assertTrue(
                    capture.records().stream()
                            .anyMatch(r -> r.getLevel() == Level.WARNING
                                    && r.getMessage().contains("missing-kubeconfig")
                                    && r.getThrown() == null),
                    "said at once, without a stack trace");
            assertEquals(200, get(app, "/readyz").statusCode());
            HttpResponse<String> report = get(app, "/pull-failures");
            assertEquals(503, report.statusCode());
            assertTrue(report.body().contains("cannot watch Events"), report.body());
        } finally {
            app.stop(Duration.ZERO);
        }
    }
}
