package io.acrcache.webhook.pullfailures;

import io.acrcache.webhook.testing.MutableClock;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The report through a real Vert.x HTTP server on a free port. */
@ExtendWith(VertxExtension.class)
class PullFailureReportEndpointTest {
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final MutableClock clock = new MutableClock(NOW);
    private final PullFailureStore store =
            new PullFailureStore(() -> new PullFailureStore.Limits(100, Duration.ofHours(24)), clock);
    private HttpServer server;
    private WebClient client;
    /** An ops router with the report of a reporter that is off. */
    private Router disabledRouter;

    @BeforeEach
    void startServer(Vertx vertx) throws Exception {
        add("e1", "shop", "web-1", "nginx:1.25", FailureCategory.NOT_REWRITTEN, "docker.io", "dockerhub", 3, 120);
        add("e2", "shop", "api-1", "ghcr.io/acme/api:2", FailureCategory.NOT_COVERED, "other", null, 1, 30 * 60);
        add(
                "e3",
                "blog",
                "wp-0",
                "myacr.azurecr.io/docker/library/wordpress:6",
                FailureCategory.CACHE_UPSTREAM_THROTTLED,
                "docker.io",
                "dockerhub",
                7,
                3 * 3600);
        add(
                "e4",
                "blog",
                "db-0",
                "myacr.azurecr.io/docker/library/mysql:8",
                FailureCategory.REGISTRY_THROTTLED,
                "docker.io",
                "dockerhub",
                2,
                10);
        Router router = Router.router(vertx);
        router.get(PullFailureReportEndpoint.PATH)
                .handler(new PullFailureReportEndpoint(
                        store,
                        clock,
                        () -> new EventWatcher.State(
                                EventWatcher.Phase.SYNCED, NOW.minusSeconds(60), "watching Events in all namespaces")));
        disabledRouter = Router.router(vertx);
        PullFailureReporter.disabled(vertx).mount(disabledRouter);
        server = vertx.createHttpServer()
                .requestHandler(router)
                .listen(0, "127.0.0.1")
                .await(10, TimeUnit.SECONDS);
        client = WebClient.create(vertx);
    }

    @AfterEach
    void stopServer() throws Exception {
        client.close();
        server.close().await(10, TimeUnit.SECONDS);
    }

    private void add(
            String uid,
            String ns,
            String pod,
            String image,
            FailureCategory category,
            String registry,
            String rule,
            int count,
            int secondsAgo) {
        Instant at = NOW.minusSeconds(secondsAgo);
        store.record(
                new PullFailure(
                        uid,
                        ns,
                        pod,
                        "app",
                        "node-1",
                        image,
                        "Failed to pull image \"" + image
                                + "\": toomanyrequests: You have reached your pull rate limit.",
                        true,
                        count,
                        at.minusSeconds(60),
                        at),
                new Explanation(category, registry, rule, "fix for " + category.label()));
    }

    private HttpResponse<Buffer> get(String uri) throws Exception {
        return client.get(server.actualPort(), "127.0.0.1", uri).send().await(10, TimeUnit.SECONDS);
    }

    private static List<String> images(JsonNode body) {
        List<String> out = new ArrayList<>();
        body.get("entries").forEach(e -> out.add(e.get("image").asString()));
        return out;
    }

    @Test
    void wholeReport_newestFirst_everyField() throws Exception {
        HttpResponse<Buffer> r = get("/pull-failures");

        assertEquals(200, r.statusCode());
        assertEquals("application/json", r.getHeader("content-type"));
        JsonNode body = JSON.readTree(r.bodyAsString());
        assertEquals(NOW.toString(), body.get("generatedAt").asString());
        assertEquals(4, body.get("total").asInt());
        assertEquals(List.of("generatedAt", "total", "watch", "entries"), List.copyOf(body.propertyNames()));
        assertEquals(
                JSON.readTree("{\"state\":\"synced\",\"since\":\"2025-03-01T11:59:00Z\","
                        + "\"detail\":\"watching Events in all namespaces\"}"),
                body.get("watch"));
        assertEquals(
                List.of(
                        "myacr.azurecr.io/docker/library/mysql:8",
                        "nginx:1.25",
                        "ghcr.io/acme/api:2",
                        "myacr.azurecr.io/docker/library/wordpress:6"),
                images(body));

        JsonNode e = body.get("entries").get(1);
        List<String> fields = new ArrayList<>();
        e.propertyNames().forEach(fields::add);
        assertEquals(
                List.of(
                        "namespace",
                        "image",
                        "category",
                        "registry",
                        "rule",
                        "suggestion",
                        "count",
                        "firstSeen",
                        "lastSeen",
                        "pods",
                        "containers",
                        "nodes",
                        "message"),
                fields);
        assertEquals("shop", e.get("namespace").asString());
        assertEquals("nginx:1.25", e.get("image").asString());
        assertEquals("not-rewritten", e.get("category").asString());
        assertEquals("docker.io", e.get("registry").asString());
        assertEquals("dockerhub", e.get("rule").asString());
        assertEquals("fix for not-rewritten", e.get("suggestion").asString());
        assertEquals(3, e.get("count").asLong());
        assertEquals("2025-03-01T11:57:00Z", e.get("firstSeen").asString());
        assertEquals("2025-03-01T11:58:00Z", e.get("lastSeen").asString());
        assertEquals("[\"web-1\"]", e.get("pods").toString());
        assertEquals("[\"app\"]", e.get("containers").toString());
        assertEquals("[\"node-1\"]", e.get("nodes").toString());
        assertEquals(
                "Failed to pull image \"nginx:1.25\": toomanyrequests: You have reached your pull rate limit.",
                e.get("message").asString());
        assertTrue(body.get("entries").get(2).get("rule").isNull(), "no rule is JSON null");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            ?namespace=shop                                   | nginx:1.25,ghcr.io/acme/api:2
            ?namespace=nowhere                                |
            ?category=not-covered                             | ghcr.io/acme/api:2
            ?category=Cache-Upstream-Throttled                | myacr.azurecr.io/docker/library/wordpress:6
            ?since=15m                                        | myacr.azurecr.io/docker/library/mysql:8,nginx:1.25
            ?since=1h30m                                      | myacr.azurecr.io/docker/library/mysql:8,nginx:1.25,ghcr.io/acme/api:2
            ?since=2025-03-01T11:58:00Z                       | myacr.azurecr.io/docker/library/mysql:8,nginx:1.25
            ?since=2025-03-01T12:58:00%2B01:00                | myacr.azurecr.io/docker/library/mysql:8,nginx:1.25
            ?namespace=blog&category=registry-throttled&since=1d | myacr.azurecr.io/docker/library/mysql:8
            """)
    void filters(String query, String expected) throws Exception {
        HttpResponse<Buffer> r = get("/pull-failures" + query);

        assertEquals(200, r.statusCode(), r.bodyAsString());
        JsonNode body = JSON.readTree(r.bodyAsString());
        List<String> want = expected == null ? List.of() : List.of(expected.split(","));
        assertEquals(want, images(body));
        assertEquals(want.size(), body.get("total").asInt());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            ?since=yesterday           | since: 'yesterday' is neither an RFC 3339 time
            ?since=15                  | since: '15' is neither an RFC 3339 time
            ?since=2025-03-01          | since: '2025-03-01' is neither an RFC 3339 time
            ?since=                    | since: empty value
            ?category=throttled        | category: 'throttled' is not one of not-covered, not-rewritten, cache-upstream-throttled, registry-throttled
            ?namespace=a&namespace=b   | namespace: give it once
            ?ns=shop                   | unknown parameter 'ns'
            """)
    void badFilters_answer400WithAJsonError(String query, String error) throws Exception {
        HttpResponse<Buffer> r = get("/pull-failures" + query);

        assertEquals(400, r.statusCode());
        assertEquals("application/json", r.getHeader("content-type"));
        String message = JSON.readTree(r.bodyAsString()).get("error").asString();
        assertTrue(message.startsWith(error), message);
    }

    @Test
    void sinceParser_durationsAndInstants() {
        assertEquals(NOW.minusSeconds(30), SinceParser.parse("30s", NOW));
        assertEquals(NOW.minus(Duration.ofMinutes(15)), SinceParser.parse(" 15m ", NOW));
        assertEquals(NOW.minus(Duration.ofHours(2)), SinceParser.parse("2h", NOW));
        assertEquals(NOW.minus(Duration.ofDays(1).plusHours(2).plusMillis(5)), SinceParser.parse("1d2h5ms", NOW));
        assertEquals(Instant.parse("2025-02-28T23:00:00.5Z"), SinceParser.parse("2025-03-01T00:00:00.5+01:00", NOW));
    }

    @Test
    void disabledReporter_answers404SayingHowToTurnItOn(Vertx vertx) throws Exception {
        HttpServer off = vertx.createHttpServer()
                .requestHandler(disabledRouter)
                .listen(0, "127.0.0.1")
                .await(10, TimeUnit.SECONDS);
        try {
            HttpResponse<Buffer> r = client.get(off.actualPort(), "127.0.0.1", "/pull-failures")
                    .send()
                    .await(10, TimeUnit.SECONDS);
            assertEquals(404, r.statusCode());
            assertEquals("application/json", r.getHeader("content-type"));
            assertTrue(
                    JSON.readTree(r.bodyAsString()).get("error").asString().contains("ACW_PULL_FAILURES_ENABLED=true"));
        } finally {
            off.close().await(10, TimeUnit.SECONDS);
        }
    }
}
