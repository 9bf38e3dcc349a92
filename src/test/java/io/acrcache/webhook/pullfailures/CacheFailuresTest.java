package io.acrcache.webhook.pullfailures;

import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.server.Readiness;
import io.acrcache.webhook.testing.Resources;
import io.acrcache.webhook.testing.TestConfigs;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.core.type.TypeReference;

import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.acrcache.webhook.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Pulls from the ACR login server that fail without rate limiting: categories of their own, with suggestions, and a
 * signal for the registry guard.
 */
@ExtendWith(VertxExtension.class)
class CacheFailuresTest {
    private static final LoadedConfig CONFIG = TestConfigs.yaml(TestFixtures.CONFIG);

    record Fixture(String name, String image, String category, String message) {}

    static Stream<Arguments> fixtures() {
        return Resources.json("pullfailures/cache-failure-messages.json", new TypeReference<List<Fixture>>() {})
                .stream()
                .map(f -> Arguments.of(f.name(), f));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("fixtures")
    void kubeletMessagesAboutTheCacheGetTheirCategory(String name, Fixture f) {
        assertTrue(!PullFailureClassifier.isRateLimited(f.message()), "not a rate limit: " + name);
        Optional<Explanation> why = FailureExplainer.onLoginServer(f.image(), f.message(), CONFIG);
        if (f.category() == null) {
            assertEquals(Optional.empty(), why);
            return;
        }
        assertEquals(f.category(), why.orElseThrow().category().label());
        assertEquals("dockerhub", why.get().rule());
        assertEquals("docker.io", why.get().registry());
        assertTrue(
                why.get().suggestion().startsWith("myacr.azurecr.io "),
                why.get().suggestion());
    }

    @Test
    void aFailedPullFromTheCacheIsReportedCountedAndHeardByTheGuardWhenItsPodBearsItOut(Vertx vertx) throws Exception {
        KubernetesMockServer server = new KubernetesMockServer(
                new Context(), new MockWebServer(), new HashMap<>(), new WatchControlDispatcher(), false);
        server.init();
        List<String> heard = new CopyOnWriteArrayList<>();
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        Readiness readiness = new Readiness();
        readiness.require(EventWatcher.READINESS);
        PullFailureReporter reporter = null;
        try (KubernetesClient client =
                server.createClient(b -> b.withHttpClientFactory(new Vertx5HttpClientFactory(vertx)))) {
            reporter = PullFailureReporter.start(
                    vertx,
                    client,
                    () -> CONFIG,
                    registry,
                    synced -> readiness.set(EventWatcher.READINESS, synced),
                    Clock.systemUTC(),
                    f -> heard.add(
                            f.rule() + " " + f.image() + " " + f.category().label()));
            eventually("informer synced", readiness::isReady);
            Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS).plusSeconds(1);
            String image = "myacr.azurecr.io/docker/library/nginx:9.99";
            String message = "rpc error: code = NotFound desc = failed to pull and unpack image \"" + image
                    + "\": failed to resolve reference \"" + image + "\": " + image + ": not found";
            client.pods()
                    .inNamespace("shop")
                    .resource(KubeletEvidenceMockServerTest.pod(
                            "web-1", KubeletEvidenceMockServerTest.NODE, true, "ErrImagePull", image))
                    .create();
            client.v1()
                    .events()
                    .inNamespace("shop")
                    .resource(TestFixtures.failed("e1", "shop", "web-1", image, message, 2, now))
                    .create();
            eventually("heard by the guard's listener", () -> !heard.isEmpty());
            assertEquals(List.of("dockerhub " + image + " cache-not-found"), heard);
            PullFailureStore store = reporter.store();
            assertEquals(1, store.size());
            assertTrue(registry.scrape()
                    .contains("acw_pull_failures_cache_total{category=\"cache-not-found\",namespace=\"shop\","
                            + "registry=\"docker.io\"} 2.0"));
        } finally {
            if (reporter != null) {
                reporter.stop().await(30, TimeUnit.SECONDS);
            }
            server.destroy();
        }
    }
}
