package io.acrcache.webhook.pullfailures;

import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.server.Readiness;
import io.acrcache.webhook.testing.Kubeconfigs;
import io.acrcache.webhook.testing.TestConfigs;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

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
        String before = System.getProperty(KUBECONFIG_PROPERTY);
        System.setProperty(KUBECONFIG_PROPERTY, kubeconfig.toString());
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
            if (before == null) {
                System.clearProperty(KUBECONFIG_PROPERTY);
            } else {
                System.setProperty(KUBECONFIG_PROPERTY, before);
            }
            server.destroy();
        }
    }

    /** Wired as WebhookApp wires it. */
    private static Consumer<Boolean> ready(Readiness readiness) {
        return readiness.companion(EventWatcher.READINESS);
    }
}
