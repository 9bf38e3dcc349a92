package io.acrcache.webhook.status;

import io.acrcache.webhook.WebhookApp;
import io.acrcache.webhook.azure.FakeArm;
import io.acrcache.webhook.azure.FakeEntra;
import io.acrcache.webhook.azure.FakeTls;
import io.acrcache.webhook.azure.WorkloadIdentity;
import io.acrcache.webhook.pullfailures.Explanation;
import io.acrcache.webhook.pullfailures.FailureCategory;
import io.acrcache.webhook.pullfailures.PullFailureMetrics;
import io.acrcache.webhook.testing.Kubeconfigs;
import io.acrcache.webhook.testing.OpsMetrics;
import io.acrcache.webhook.testing.Reviews;
import io.acrcache.webhook.testing.TestConfigs;
import io.acrcache.webhook.testing.TestPods;
import io.acrcache.webhook.testing.TlsClients;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.acrcache.webhook.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every metric a dashboard panel or an alert queries is on {@code /metrics} of a running webhook with the guard, the
 * registry sync and the pull-failure report on: a renamed metric breaks the build. The API server's own metrics are
 * allowed by name.
 */
class DashboardMetricsTest {
    /** Not the webhook's: the API server exposes them, where the control plane's metrics are scraped. */
    static final Set<String> API_SERVER = Set.of("apiserver_admission_webhook_fail_open_count");

    private static final Path DASHBOARD = Path.of("charts/acr-cache-webhook/dashboards/acr-cache-webhook.json");
    private static final Path ALERTS = Path.of("charts/acr-cache-webhook/templates/prometheusrule.yaml");
    // a metric name as PromQL writes it: ours start acw_, the API server's apiserver_
    private static final Pattern METRIC = Pattern.compile("\\b((?:acw|apiserver)_[a-z0-9_]+)\\b");

    @TempDir
    Path dir;

    /** The metric names in the PromQL of a file (dashboard JSON or PrometheusRule template), histogram suffixes off. */
    static Set<String> queried(Path file) throws Exception {
        Set<String> names = new TreeSet<>();
        Matcher m = METRIC.matcher(Files.readString(file));
        while (m.find()) {
            names.add(m.group(1).replaceAll("_(bucket|sum|count)$", ""));
        }
        return names;
    }

    @Test
    void theQueryParserFindsNamesAndStripsHistogramSuffixes() throws Exception {
        Path f = Files.writeString(
                dir.resolve("q"),
                "histogram_quantile(0.9, sum by (le) (rate(acw_x_seconds_bucket{job=~\"$job\"}[5m])))"
                        + " / acw_y_total[1m] and on() apiserver_admission_webhook_fail_open_count");
        assertEquals(Set.of("acw_x_seconds", "acw_y_total", "apiserver_admission_webhook_fail_open"), queried(f));
    }

    @Test
    void everyQueriedMetricIsExposed() throws Exception {
        Set<String> wanted = new TreeSet<>(queried(DASHBOARD));
        wanted.addAll(queried(ALERTS));
        assertTrue(wanted.size() >= 12, "metrics found in the queries: " + wanted);

        Vertx fakes = Vertx.vertx();
        Path tokenFile = Files.writeString(dir.resolve("token"), "eyJhbGciOiJSUzI1NiJ9.sa-token.sig");
        FakeEntra entra = new FakeEntra(fakes, tokenFile);
        FakeArm arm = new FakeArm(fakes, entra::valid);
        KubernetesMockServer api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), false);
        api.init();
        Kubeconfigs.Pointed kubeconfig = Kubeconfigs.use(dir.resolve("kubeconfig"), api.url("/"));
        Map<String, String> env = Map.of(
                WorkloadIdentity.CLIENT_ID,
                FakeEntra.CLIENT_ID,
                WorkloadIdentity.TENANT_ID,
                FakeEntra.TENANT,
                WorkloadIdentity.TOKEN_FILE,
                tokenFile.toString(),
                WorkloadIdentity.AUTHORITY_HOST,
                entra.authorityHost().toString(),
                "ACW_PULL_FAILURES_ENABLED",
                "true");
        String config = """
                server: {host: 127.0.0.1, port: 0}
                ops: {host: 127.0.0.1, port: 0}
                acrLoginServer: myregistry.azurecr.io
                guard: {enabled: true, auth: anonymous, inlineBudgetMillis: 200}
                registry: {resourceId: %s, ruleSync: false, armEndpoint: %s}
                """.formatted(FakeArm.REGISTRY_ID, arm.endpoint());
        WebhookApp app = null;
        try {
            Path file = Files.writeString(dir.resolve("config.yaml"), config);
            app = WebhookApp.start(
                    TestConfigs.yaml(config, env),
                    new WebhookApp.Options(file, env, dir.resolve("certs"), 1, Duration.ofSeconds(5))
                            .withAzureTrust(FakeTls.trust())
                            // the login server is not there: probes fail fast, so breakers and probe counts appear
                            .withGuardTuning(s -> s.toBuilder()
                                    .scheme("http")
                                    .connectTimeout(Duration.ofMillis(100))
                                    .build()));
            WebhookApp started = app;
            eventually(
                    "the registry sync succeeded",
                    () -> started.rules().status().lastSuccess() != null);
            HttpClient https = TlsClients.client(dir.resolve("certs/ca.crt"), HttpClient.Version.HTTP_1_1);
            HttpResponse<String> r = https.send(
                    HttpRequest.newBuilder(URI.create("https://localhost:" + app.admissionPort() + "/mutate"))
                            .header("content-type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    Reviews.create(TestPods.withImages("nginx:1.25", "ghcr.io/org/app:1"))))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode());
            // the report's counters appear with their first Event: count one of each through the report's own meters
            PullFailureMetrics report = new PullFailureMetrics(app.registry(), null);
            report.rateLimited("shop", new Explanation(FailureCategory.NOT_COVERED, "docker.io", null, ""), 1);
            report.cacheFailed(
                    "shop",
                    new Explanation(FailureCategory.CACHE_NOT_FOUND, "myregistry.azurecr.io", "dockerhub", ""),
                    1);

            String scrape = OpsMetrics.scrape(app.opsPort());
            Set<String> missing = new TreeSet<>();
            for (String name : wanted) {
                if (!API_SERVER.contains(name + "_count")
                        && !API_SERVER.contains(name)
                        && !Pattern.compile("(?m)^" + Pattern.quote(name) + "(_bucket|_sum|_count)?[{ ]")
                                .matcher(scrape)
                                .find()) {
                    missing.add(name);
                }
            }
            assertEquals(Set.of(), missing, "queried by the dashboard or an alert but not on /metrics:\n" + scrape);
        } finally {
            if (app != null) {
                app.stop(Duration.ZERO);
            }
            kubeconfig.close();
            api.destroy();
            arm.close();
            entra.close();
            FakeTls.await(fakes.close());
        }
    }
}
