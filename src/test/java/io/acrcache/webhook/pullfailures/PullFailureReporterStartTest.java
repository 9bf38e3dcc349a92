package io.acrcache.webhook.pullfailures;

import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.server.Readiness;
import io.acrcache.webhook.testing.Kubeconfigs;
import io.acrcache.webhook.testing.LogCapture;
import io.acrcache.webhook.testing.TestConfigs;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import static io.acrcache.webhook.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The entry point the application calls: configuration decides, a kubeconfig says where the API is. */
@ExtendWith(VertxExtension.class)
class PullFailureReporterStartTest {
    /** Fabric8 reads this system property before the KUBECONFIG variable. */
    private static final String KUBECONFIG_PROPERTY = "kubeconfig";

    @Test
    void off_needsNoClusterAndNoReadinessCondition(Vertx vertx) throws Exception {
        Readiness readiness = new Readiness();
        PullFailureReporter reporter = PullFailureReporter.start(
                        vertx,
                        () -> TestConfigs.yaml(TestFixtures.CONFIG),
                        new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                        ready(readiness))
                .await(10, TimeUnit.SECONDS);

        assertFalse(reporter.enabled());
        assertTrue(readiness.isReady());
        assertEquals(List.of(), readiness.missing());
        reporter.stop().await(10, TimeUnit.SECONDS);
    }

    @Test
    void on_watchesTheClusterOfTheKubeconfig_onTheSharedVertx(Vertx vertx, @TempDir Path dir) throws Exception {
        KubernetesMockServer server = new KubernetesMockServer(
                new Context(), new MockWebServer(), new HashMap<>(), new WatchControlDispatcher(), false);
        server.init();
        Path kubeconfig = Kubeconfigs.write(dir.resolve("config"), server.url("/"));
        String before = useKubeconfig(kubeconfig);
        LoadedConfig on = TestConfigs.yaml(TestFixtures.CONFIG, Map.of("ACW_PULL_FAILURES_ENABLED", "true"));
        Readiness readiness = new Readiness();
        PullFailureReporter reporter = null;
        try (KubernetesClient kubelet = server.createClient()) {
            reporter = PullFailureReporter.start(
                            vertx, () -> on, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), ready(readiness))
                    .await(30, TimeUnit.SECONDS);
            assertTrue(reporter.enabled());
            PullFailureReporter started = reporter;
            eventually(
                    "informer synced",
                    () -> "ready".equals(readiness.companions().get(EventWatcher.READINESS)));

            kubelet.v1()
                    .events()
                    .inNamespace("shop")
                    .resource(TestFixtures.failed(
                            "a", "shop", "web-1", "nginx:1.25", TestFixtures.DOCKER_429, 2, Instant.now()))
                    .create();

            eventually("Event reported", () -> started.store().size() == 1);
            reporter.stop().await(30, TimeUnit.SECONDS);
            reporter = null;
            assertEquals(
                    42,
                    vertx.executeBlocking(() -> 42).await(10, TimeUnit.SECONDS),
                    "closing the reporter's client leaves the shared Vert.x running");
        } finally {
            if (reporter != null) {
                reporter.stop().await(30, TimeUnit.SECONDS);
            }
            restoreKubeconfig(before);
            server.destroy();
        }
    }

    /**
     * The API server does not answer: the report says so beside its zero entries (not a bare {@code "total":0} that
     * reads as "no failures"), within seconds, in one warning line however often the informer retries, and no stack
     * trace (Fabric8's own 110-line warning per retry is filtered).
     */
    @Test
    void unreachable_theReportSaysSoInOneLineWithoutStackTraces(Vertx vertx, @TempDir Path dir) throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Path kubeconfig = Kubeconfigs.write(dir.resolve("config"), "https://127.0.0.1:" + closedPort);
        String before = useKubeconfig(kubeconfig);
        LogCapture logs = LogCapture.root();
        PullFailureReporter reporter = null;
        HttpServer http = null;
        WebClient web = WebClient.create(vertx);
        try {
            long started = System.nanoTime();
            reporter = PullFailureReporter.start(
                            vertx,
                            () -> TestConfigs.yaml(TestFixtures.CONFIG, Map.of("ACW_PULL_FAILURES_ENABLED", "true")),
                            new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
                            ready(new Readiness()))
                    .await(30, TimeUnit.SECONDS);
            PullFailureReporter watching = reporter;
            eventually("unreachable said", () -> watching.watcher().state().phase() == EventWatcher.Phase.UNREACHABLE);
            Duration firstWord = Duration.ofNanos(System.nanoTime() - started);
            assertTrue(firstWord.compareTo(Duration.ofSeconds(8)) < 0, "said after " + firstWord);

            Router ops = Router.router(vertx);
            reporter.mount(ops);
            http = vertx.createHttpServer()
                    .requestHandler(ops)
                    .listen(0, "127.0.0.1")
                    .await(10, TimeUnit.SECONDS);
            HttpResponse<Buffer> r = web.get(http.actualPort(), "127.0.0.1", "/pull-failures")
                    .send()
                    .await(10, TimeUnit.SECONDS);
            assertEquals(200, r.statusCode());
            JsonNode body = JsonMapper.builder().build().readTree(r.bodyAsString());
            assertEquals(0, body.get("total").asInt());
            JsonNode watch = body.get("watch");
            assertEquals("unreachable", watch.get("state").asString(), body.toString());
            Instant.parse(watch.get("since").asString());
            assertTrue(
                    watch.get("detail").asString().contains("Connection refused: /127.0.0.1:" + closedPort),
                    body.toString());

            eventually("the informer retried", () -> watching.watcher().failures() >= 3);
            List<LogRecord> warnings = logs.records().stream()
                    .filter(l -> l.getLevel().intValue() >= Level.WARNING.intValue())
                    .toList();
            assertEquals(
                    1,
                    warnings.size(),
                    warnings.stream().map(LogRecord::getMessage).toList().toString());
            assertEquals(
                    "pull-failure report: event watch unreachable: cannot list or watch Events in all namespaces: "
                            + watch.get("detail")
                                    .asString()
                                    .substring("cannot list or watch Events in all namespaces: ".length())
                            + "; retrying with back-off",
                    warnings.get(0).getMessage());
            assertTrue(
                    logs.records().stream().allMatch(l -> l.getThrown() == null),
                    "no stack traces: "
                            + logs.records().stream()
                                    .filter(l -> l.getThrown() != null)
                                    .map(LogRecord::getLoggerName)
                                    .toList());
        } finally {
            logs.detach();
            web.close();
            if (http != null) {
                http.close().await(10, TimeUnit.SECONDS);
            }
            if (reporter != null) {
                reporter.stop().await(30, TimeUnit.SECONDS);
            }
            restoreKubeconfig(before);
        }
    }

    /** Points Fabric8 at {@code kubeconfig}; returns the property's value before, for {@link #restoreKubeconfig}. */
    private static String useKubeconfig(Path kubeconfig) {
        String before = System.getProperty(KUBECONFIG_PROPERTY);
        System.setProperty(KUBECONFIG_PROPERTY, kubeconfig.toString());
        return before;
    }

    private static void restoreKubeconfig(String before) {
        if (before == null) {
            System.clearProperty(KUBECONFIG_PROPERTY);
        } else {
            System.setProperty(KUBECONFIG_PROPERTY, before);
        }
    }

    /** Wired as WebhookApp wires it. */
    private static Consumer<Boolean> ready(Readiness readiness) {
        return readiness.companion(EventWatcher.READINESS);
    }
}
