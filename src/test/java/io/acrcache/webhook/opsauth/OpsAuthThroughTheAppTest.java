package io.acrcache.webhook.opsauth;

import io.acrcache.webhook.WebhookApp;
import io.acrcache.webhook.testing.Kubeconfigs;
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

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code ops.auth: kubernetes} on the running webhook: the report and {@code /rules} need a token the API server
 * accepts; health stays open; {@code /metrics} is open unless {@code ops.metricsAuth}.
 */
class OpsAuthThroughTheAppTest {
    @TempDir
    Path dir;

    private Kubeconfigs.Pointed kubeconfig;
    private KubernetesMockServer api;

    @BeforeEach
    void apiServer() throws Exception {
        api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), false);
        api.init();
        api.expect()
                .post()
                .withPath("/apis/authentication.k8s.io/v1/tokenreviews")
                .andReturn(
                        201,
                        "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenReview\",\"status\":{"
                                + "\"authenticated\":true,\"user\":{\"username\":\"reader\"}}}")
                .always();
        api.expect()
                .post()
                .withPath("/apis/authorization.k8s.io/v1/subjectaccessreviews")
                .andReturn(
                        201,
                        "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SubjectAccessReview\","
                                + "\"status\":{\"allowed\":true}}")
                .always();
        kubeconfig = Kubeconfigs.use(dir.resolve("kubeconfig"), api.url("/"));
    }

    @AfterEach
    void restore() {
        api.destroy();
        kubeconfig.close();
    }

    private WebhookApp start(String metricsAuth) throws Exception {
        return WebhookApp.start(
                TestConfigs.yaml(
                        "acrLoginServer: myacr.azurecr.io\nserver:\n  port: 0\nops:\n  port: 0\n",
                        Map.of("ACW_OPS_AUTH", "kubernetes", "ACW_OPS_METRICS_AUTH", metricsAuth)),
                new WebhookApp.Options(null, Map.of(), dir.resolve("certs"), 1, Duration.ofSeconds(5)));
    }

    private static int get(WebhookApp app, String path, String token) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + app.opsPort() + path))
                .timeout(Duration.ofSeconds(20));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient()
                .send(b.build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    @Test
    void theRulesNeedATokenHealthAndMetricsDoNot() throws Exception {
        WebhookApp app = start("false");
        try {
            assertEquals(401, get(app, "/rules", null));
            assertEquals(401, get(app, "/pull-failures", null));
            assertEquals(401, get(app, "/doctor", null));
            assertEquals(401, get(app, "/", null), "the status page shows other namespaces' Pods too");
            assertEquals(200, get(app, "/", "a-token"));
            assertEquals(200, get(app, "/rules", "a-token"));
            assertEquals(200, get(app, "/healthz", null));
            assertEquals(200, get(app, "/readyz", null));
            assertEquals(200, get(app, "/metrics", null));
        } finally {
            app.stop(Duration.ZERO);
        }
    }

    @Test
    void withMetricsAuthMetricsNeedATokenToo() throws Exception {
        WebhookApp app = start("true");
        try {
            assertEquals(401, get(app, "/metrics", null));
            assertEquals(200, get(app, "/metrics", "a-token"));
            assertEquals(200, get(app, "/healthz", null));
        } finally {
            app.stop(Duration.ZERO);
        }
    }
}
