package io.acrcache.webhook.pullfailures;

import io.acrcache.webhook.config.LoadedConfig;
import io.acrcache.webhook.server.Readiness;
import io.acrcache.webhook.testing.TestConfigs;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static io.acrcache.webhook.pullfailures.TestFixtures.DOCKER_429;
import static io.acrcache.webhook.pullfailures.TestFixtures.kubeletEvent;
import static io.acrcache.webhook.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The reporter against Fabric8's mock API server in CRUD mode, on the Vert.x 5 HTTP client: Events created, bumped and
 * deleted the way the kubelet does, watches ended by the server, and the report read through a real HTTP server.
 */
@ExtendWith(VertxExtension.class)
class EventWatcherMockServerTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private WatchControlDispatcher dispatcher;
    private KubernetesMockServer server;
    private KubernetesClient client;
    private PrometheusMeterRegistry registry;
    private Readiness readiness;
    private PullFailureReporter reporter;
    private Instant now;

    @BeforeEach
    void startApiServer(Vertx vertx) {
        dispatcher = new WatchControlDispatcher();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init();
        client = server.createClient(b -> b.withHttpClientFactory(new Vertx5HttpClientFactory(vertx)));
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        readiness = new Readiness();
        now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }

    @AfterEach
    void stopAll() throws Exception {
        if (reporter != null) {
            reporter.stop().await(30, TimeUnit.SECONDS);
        }
        client.close();
        server.destroy();
    }

    private void startReporter(Vertx vertx, Supplier<LoadedConfig> config) {
        reporter = PullFailureReporter.start(vertx, client, config, registry, ready(readiness), Clock.systemUTC());
        eventually(
                "informer synced",
                () -> "ready".equals(readiness.companions().get(EventWatcher.READINESS))
                        && reporter.watcher().isWatching());
        assertEquals(List.of(), readiness.missing());
        assertTrue(dispatcher.warningSelectorSeen.get(), "only Warning Events are asked for");
        // Events stamped from here on happened after the start (times have whole seconds, as the kubelet's)
        now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }

    private Event create(Event e) {
        return client.v1()
                .events()
                .inNamespace(e.getMetadata().getNamespace())
                .resource(e)
                .create();
    }

    /** What the kubelet does on a repeat: same Event, higher count, later lastTimestamp. */
    private Event bump(Event e, int count) {
        Event stored = client.v1()
                .events()
                .inNamespace(e.getMetadata().getNamespace())
                .withName(e.getMetadata().getName())
                .get();
        Event bumped = new EventBuilder(stored)
                .withCount(count)
                .withLastTimestamp(Instant.parse(stored.getLastTimestamp())
                        .plusSeconds(count)
                        .toString())
                .build();
        return client.v1()
                .events()
                .inNamespace(e.getMetadata().getNamespace())
                .resource(bumped)
                .update();
    }

    private Event rateLimited(String uid, String ns, String pod, String image, int count) {
        return TestFixtures.failed(uid, ns, pod, image, DOCKER_429, count, now);
    }

    private ReportEntry entry(String ns, String image) {
        return reporter.store().query(new ReportQuery(ns, null, null)).stream()
                .filter(e -> e.image().equals(image))
                .findFirst()
                .orElse(null);
    }

    private long count(String ns, String image) {
        ReportEntry e = entry(ns, image);
        return e == null ? -1 : e.count();
    }

    private double counter(String ns, String registryLabel, String category) {
        Counter c = registry.find(PullFailureMetrics.RATE_LIMITED)
                .tags("namespace", ns, "registry", registryLabel, "category", category)
                .counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void eventsCreatedBumpedAndDeleted(Vertx vertx) throws Exception {
        // seen by the first list: reported, but not counted again in the metric after a restart
        Event historical = TestFixtures.failed(
                "hist", "shop", "old-1", "busybox:1.36", DOCKER_429, 5, now.minus(Duration.ofHours(1)));
        create(historical);
        startReporter(vertx, () -> TestConfigs.yaml(TestFixtures.CONFIG));
        eventually("historical Event listed", () -> count("shop", "busybox:1.36") == 5);

        Event a = create(rateLimited("a", "shop", "web-1", "nginx:1.25", 1));
        eventually("new Event", () -> count("shop", "nginx:1.25") == 1);
        bump(a, 4);
        eventually("bumped count replaces the old one", () -> count("shop", "nginx:1.25") == 4);
        bump(a, 4); // an update that changes nothing the report counts
        create(kubeletEvent(
                        "b",
                        "blog",
                        "cache-0",
                        "spec.initContainers{warm}",
                        "Failed",
                        "Failed to pull image \"redis:7\": " + TestFixtures.CONTAINERD_429_REDIS,
                        2,
                        now,
                        now)
                .build());
        // not rate limiting, or no pull at all: never reported
        create(TestFixtures.failed("nf", "shop", "web-2", "nginx:nope", "manifest unknown: manifest unknown", 1, now));
        create(kubeletEvent(
                        "pulling",
                        "shop",
                        "web-3",
                        "spec.containers{app}",
                        "Pulling",
                        "Pulling image \"nginx:1.25\"",
                        1,
                        now,
                        now)
                .withType("Normal")
                .build());
        create(kubeletEvent(
                        "errpull",
                        "shop",
                        "web-1",
                        "spec.containers{app}",
                        "Failed",
                        "Error: ErrImagePull",
                        1,
                        now,
                        now)
                .build());
        // a watch delivers in order: once this one is in, the ones before it have been seen
        create(rateLimited("last", "shop", "web-9", "alpine:3.19", 1));
        eventually("the last Event", () -> count("shop", "alpine:3.19") == 1);

        assertEquals(4, count("shop", "nginx:1.25"), "no double counting of the unchanged update");
        assertEquals(2, count("blog", "redis:7"));
        ReportEntry redis = entry("blog", "redis:7");
        assertEquals(List.of("cache-0"), redis.pods());
        assertEquals(List.of("warm"), redis.containers());
        assertEquals(List.of("aks-nodepool1-12345678-vmss000000"), redis.nodes());
        assertEquals("not-rewritten", redis.category());
        assertEquals("dockerhub", redis.rule());
        assertNull(entry("shop", "nginx:nope"));
        assertEquals(4, reporter.store().size(), "busybox, nginx, redis, alpine");

        assertEquals(5.0, counter("shop", "docker.io", "not-rewritten"), "nginx 4 + alpine 1; busybox was history");
        assertEquals(2.0, counter("blog", "docker.io", "not-rewritten"));
        Gauge entries = registry.find(PullFailureMetrics.ENTRIES).gauge();
        assertEquals(4.0, entries.value());
        String scrape = registry.scrape();
        assertTrue(
                scrape.contains("acw_pull_failures_rate_limited_total{category=\"not-rewritten\",namespace=\"blog\","
                        + "registry=\"docker.io\"} 2.0"),
                scrape);
        assertTrue(scrape.contains("acw_pull_failures_entries 4.0"), scrape);
        // kept for docs/pull-failures.md
        Files.writeString(
                Path.of("target", "pull-failures-metrics-sample.txt"),
                scrape.lines()
                        .filter(l -> l.contains("acw_pull_failures"))
                        .collect(java.util.stream.Collectors.joining("\n", "", "\n")),
                StandardCharsets.UTF_8);

        int tracked = reporter.store().trackedEvents();
        client.v1()
                .events()
                .inNamespace("shop")
                .withName(a.getMetadata().getName())
                .delete();
        eventually("deleted Event forgotten", () -> reporter.store().trackedEvents() == tracked - 1);
        assertEquals(4, count("shop", "nginx:1.25"), "the report keeps what happened");
    }

    /**
     * One Event per category, read through the ops router the reporter mounts. The answer is kept in
     * target/pull-failures-sample.json: docs/pull-failures.md shows it.
     */
    @Test
    void everyCategoryThroughTheOpsRouter(Vertx vertx) throws Exception {
        startReporter(vertx, () -> TestConfigs.yaml(TestFixtures.CONFIG));
        create(TestFixtures.failed("c1", "shop", "web-5c9f-x2", "nginx:1.25", DOCKER_429, 6, now.minusSeconds(50)));
        create(kubeletEvent(
                        "c2",
                        "legacy",
                        "cache-0",
                        "spec.initContainers{warm}",
                        "Failed",
                        "Failed to pull image \"redis:7\": " + TestFixtures.CONTAINERD_429_REDIS,
                        2,
                        now.minusSeconds(400),
                        now.minusSeconds(40))
                .build());
        create(TestFixtures.failed(
                "c3",
                "shop",
                "api-7f6d-q8",
                "ghcr.io/acme/api:2",
                "failed to pull and unpack image \"ghcr.io/acme/api:2\": failed to resolve reference: unexpected "
                        + "status from HEAD request to https://ghcr.io/v2/acme/api/manifests/2: 429 Too Many Requests",
                1,
                now.minusSeconds(30)));
        create(TestFixtures.failed(
                "c4",
                "shop",
                "web-5c9f-k7",
                "myacr.azurecr.io/docker/library/nginx:1.25",
                TestFixtures.ACR_SOURCE_THROTTLED,
                3,
                now.minusSeconds(20)));
        create(kubeletEvent(
                        "c5",
                        "blog",
                        "db-0",
                        "spec.containers{mysql}",
                        "BackOff",
                        "Back-off pulling image \"myacr.azurecr.io/docker/library/mysql:8.4\": ErrImagePull: failed to pull "
                                + "and unpack image \"myacr.azurecr.io/docker/library/mysql:8.4\": unexpected status from GET "
                                + "request to https://myacr.azurecr.io/v2/docker/library/mysql/blobs/sha256:"
                                + "89abcdef0123456789abcdef0123456789abcdef0123456789abcdef01234567: 429 Too Many Requests",
                        4,
                        now.minusSeconds(90),
                        now.minusSeconds(10))
                .withSource(null)
                .withReportingComponent("kubelet")
                .withReportingInstance("aks-nodepool1-12345678-vmss000001")
                .build());
        eventually("five entries", () -> reporter.store().size() == 5);

        Router ops = Router.router(vertx);
        reporter.mount(ops);
        HttpServer http = vertx.createHttpServer()
                .requestHandler(ops)
                .listen(0, "127.0.0.1")
                .await(10, TimeUnit.SECONDS);
        WebClient web = WebClient.create(vertx);
        try {
            JsonNode all = JSON.readTree(get(web, http, "/pull-failures"));
            assertEquals(5, all.get("total").asInt());
            List<String> categories = new ArrayList<>();
            all.get("entries").forEach(e -> categories.add(e.get("category").asString()));
            assertEquals(
                    List.of(
                            "registry-throttled",
                            "cache-upstream-throttled",
                            "not-covered",
                            "not-rewritten",
                            "not-rewritten"),
                    categories,
                    "newest first");
            JsonNode registryThrottled = all.get("entries").get(0);
            assertEquals(
                    "[\"aks-nodepool1-12345678-vmss000001\"]",
                    registryThrottled.get("nodes").toString());
            assertEquals("[\"mysql\"]", registryThrottled.get("containers").toString());
            assertEquals(4, registryThrottled.get("count").asInt());
            JsonNode excluded = all.get("entries").get(3);
            assertEquals("legacy", excluded.get("namespace").asString());
            assertTrue(excluded.get("suggestion").asString().contains("excludedNamespaces"));

            JsonNode upstream =
                    JSON.readTree(get(web, http, "/pull-failures?category=cache-upstream-throttled&since=5m"));
            assertEquals(1, upstream.get("total").asInt());
            assertEquals("dockerhub", upstream.get("entries").get(0).get("rule").asString());

            Files.writeString(
                    Path.of("target", "pull-failures-sample.json"),
                    JSON.writerWithDefaultPrettyPrinter().writeValueAsString(all),
                    StandardCharsets.UTF_8);
        } finally {
            web.close();
            http.close().await(10, TimeUnit.SECONDS);
        }
        assertEquals(5.0, registry.find(PullFailureMetrics.ENTRIES).gauge().value());
    }

    private static String get(WebClient web, HttpServer http, String uri) throws Exception {
        HttpResponse<Buffer> r =
                web.get(http.actualPort(), "127.0.0.1", uri).send().await(10, TimeUnit.SECONDS);
        assertEquals(200, r.statusCode(), r.bodyAsString());
        return r.bodyAsString();
    }

    @Test
    void withoutRbac_theWebhookIsReadyTheReportSaysItIsNot_andRetriesUntilAllowed(Vertx vertx) {
        dispatcher.forbidden.set(true);
        reporter = PullFailureReporter.start(
                vertx,
                client,
                () -> TestConfigs.yaml(TestFixtures.CONFIG),
                registry,
                ready(readiness),
                Clock.systemUTC());

        eventually("a retry after the refusal", () -> dispatcher.refused.get() >= 2);
        // a companion feature never takes admission out of service: ready, with the report's state beside
        assertTrue(readiness.isReady());
        assertEquals(List.of(), readiness.missing());
        assertEquals(Map.of(EventWatcher.READINESS, "not ready"), readiness.companions());
        EventWatcher.State refused = reporter.watcher().state();
        assertEquals(EventWatcher.Phase.UNREACHABLE, refused.phase());
        assertTrue(
                refused.detail()
                        .startsWith(
                                "cannot list or watch Events in all namespaces: HTTP 403: events is" + " forbidden"),
                refused.detail());

        dispatcher.forbidden.set(false); // RBAC granted
        eventually(
                "synced once allowed",
                () -> "ready".equals(readiness.companions().get(EventWatcher.READINESS)));
        eventually("the report says so", () -> reporter.watcher().state().phase() == EventWatcher.Phase.SYNCED);
        assertTrue(reporter.watcher().state().since().isAfter(refused.since()), "since: when it synced");
        create(rateLimited("a", "shop", "web-1", "nginx:1.25", 1));
        eventually("Events flow", () -> count("shop", "nginx:1.25") == 1);
    }

    @Test
    void watchClosedByTheServer_isResumed(Vertx vertx) {
        startReporter(vertx, () -> TestConfigs.yaml(TestFixtures.CONFIG));
        create(rateLimited("before", "shop", "web-1", "nginx:1.25", 3));
        eventually("first Event", () -> count("shop", "nginx:1.25") == 3);
        int watches = dispatcher.eventWatches.get();
        int lists = dispatcher.eventLists.get();

        dispatcher.closeWatches();
        eventually("a new watch", () -> dispatcher.eventWatches.get() > watches && dispatcher.openWatches() > 0);
        create(rateLimited("after", "shop", "web-2", "redis:7", 1));

        eventually("Event after the reconnect", () -> count("shop", "redis:7") == 1);
        assertEquals(3, count("shop", "nginx:1.25"), "the replay on reconnect is not counted twice");
        assertEquals(lists, dispatcher.eventLists.get(), "a closed watch resumes from its resource version, no relist");
        assertTrue(readiness.isReady());
    }

    @Test
    void watchExpiredWith410_relistsAndGoesOn(Vertx vertx) {
        startReporter(vertx, () -> TestConfigs.yaml(TestFixtures.CONFIG));
        Event a = create(rateLimited("a", "shop", "web-1", "nginx:1.25", 2));
        eventually("first Event", () -> count("shop", "nginx:1.25") == 2);
        int lists = dispatcher.eventLists.get();

        dispatcher.expireWatches();
        eventually(
                "relisted after 410 Gone", () -> dispatcher.eventLists.get() > lists && dispatcher.openWatches() > 0);
        bump(a, 6);
        create(rateLimited("b", "blog", "db-0", "mysql:8", 1));

        eventually("Events after the relist", () -> count("shop", "nginx:1.25") == 6 && count("blog", "mysql:8") == 1);
        assertEquals(6.0, counter("shop", "docker.io", "not-rewritten"));
    }

    @Test
    void configuredNamespacesOnly(Vertx vertx) {
        LoadedConfig onlyShop =
                TestConfigs.yaml(TestFixtures.CONFIG, Map.of("ACW_PULL_FAILURES_NAMESPACES", "shop,payments"));
        startReporter(vertx, () -> onlyShop);
        create(rateLimited("x", "blog", "wp-0", "wordpress:6", 1));
        create(rateLimited("y", "payments", "pay-0", "redis:7", 1));
        create(rateLimited("z", "shop", "web-1", "nginx:1.25", 1));

        eventually("watched namespaces", () -> count("shop", "nginx:1.25") == 1 && count("payments", "redis:7") == 1);
        // both watched namespaces are in, and the unwatched Event was created first
        assertEquals(-1, count("blog", "wordpress:6"));
        assertEquals(2, reporter.store().size());
    }

    @Test
    void configReloadChangesTheExplanationOfNewEvents(Vertx vertx) {
        // what ConfigHolder does on a reload: the reporter reads the reference per Event
        AtomicReference<LoadedConfig> current = new AtomicReference<>(TestConfigs.yaml(TestFixtures.NO_RULES));
        startReporter(vertx, current::get);
        create(rateLimited("a", "shop", "web-1", "nginx:1.25", 1));
        eventually("first", () -> reporter.store().query(ReportQuery.ALL).size() == 1);
        assertEquals(
                "not-covered", reporter.store().query(ReportQuery.ALL).get(0).category());

        current.set(TestConfigs.yaml(TestFixtures.CONFIG));
        create(rateLimited("b", "shop", "web-2", "nginx:1.25", 1));

        eventually("second", () -> reporter.store().query(ReportQuery.ALL).size() == 2);
        assertEquals(1.0, counter("shop", "docker.io", "not-covered"));
        assertEquals(1.0, counter("shop", "docker.io", "not-rewritten"));
    }

    @Test
    void stopLeavesACallersClientOpen(Vertx vertx) throws Exception {
        startReporter(vertx, () -> TestConfigs.yaml(TestFixtures.CONFIG));

        reporter.stop().await(30, TimeUnit.SECONDS);

        assertFalse(reporter.watcher().isWatching());
        assertEquals(0, client.v1().events().inAnyNamespace().list().getItems().size(), "client still usable");
        reporter = null;
    }

    /** Wired as WebhookApp wires it. */
    private static Consumer<Boolean> ready(Readiness readiness) {
        return readiness.companion(EventWatcher.READINESS);
    }
}
