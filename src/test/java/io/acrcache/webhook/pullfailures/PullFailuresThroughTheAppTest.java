package io.acrcache.webhook.pullfailures;

import io.acrcache.webhook.WebhookApp;
import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.testing.Kubeconfigs;
import io.acrcache.webhook.testing.TestConfigs;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static io.acrcache.webhook.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole application with the report on, pointed by a kubeconfig at Fabric8's mock API server: a throttled pull
 * recorded as an Event shows up on the ops port's /pull-failures and in /metrics.
 */
class PullFailuresThroughTheAppTest {
    @Test
    void aThrottledPullIsReportedOnTheOpsPort(@TempDir Path dir) throws Exception {
        KubernetesMockServer server = new KubernetesMockServer(
                new Context(), new MockWebServer(), new HashMap<>(), new WatchControlDispatcher(), false);
        server.init();
        Kubeconfigs.Pointed kubeconfig = Kubeconfigs.use(dir.resolve("kubeconfig"), server.url("/"));
        WebhookApp app = null;
        try (KubernetesClient kubelet = server.createClient()) {
            LoadedConfig config = TestConfigs.yaml(
                    TestFixtures.CONFIG + "\nserver: {host: 127.0.0.1, port: 0}\n"
                            + "ops: {host: 127.0.0.1, port: 0}\n",
                    Map.of("ACW_PULL_FAILURES_ENABLED", "true"));
            app = WebhookApp.start(
                    config, new WebhookApp.Options(null, Map.of(), dir.resolve("certs"), 1, Duration.ofSeconds(5)));
            WebhookApp started = app;
            HttpClient http = HttpClient.newHttpClient();
            String ops = "http://127.0.0.1:" + app.opsPort();
            eventually("ready once the Event informer has synced", started.readiness()::isReady);

            kubelet.v1()
                    .events()
                    .inNamespace("shop")
                    .resource(TestFixtures.failed(
                            "e1", "shop", "web-1", "nginx:1.25", TestFixtures.DOCKER_429, 3, Instant.now()))
                    .create();
            eventually(
                    "reported on /pull-failures",
                    () -> get(http, ops + "/pull-failures").contains("web-1"));

            JsonNode report = JsonMapper.builder().build().readTree(get(http, ops + "/pull-failures?namespace=shop"));
            JsonNode entry = report.get("entries").get(0);
            assertEquals("shop", entry.get("namespace").stringValue());
            assertEquals("nginx:1.25", entry.get("image").stringValue());
            assertEquals("not-rewritten", entry.get("category").stringValue());
            assertEquals(3, entry.get("count").asInt());
            assertTrue(get(http, ops + "/metrics")
                    .contains("acw_pull_failures_rate_limited_total{category=\"not-rewritten\""
                            + ",namespace=\"shop\",registry=\"docker.io\"} 3.0"));
        } finally {
            if (app != null) {
                app.stop(Duration.ZERO);
            }
            kubeconfig.close();
            server.destroy();
        }
    }

    private static String get(HttpClient http, String url) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString())
                    .body();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
