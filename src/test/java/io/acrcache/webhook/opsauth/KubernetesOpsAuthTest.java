package io.acrcache.webhook.opsauth;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
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

import java.net.ServerSocket;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ops endpoints behind Kubernetes authentication and authorization, against Fabric8's mock API server answering
 * TokenReview and SubjectAccessReview as kube-apiserver does: no token, an unknown token, a user without RBAC, a user
 * with it, and the API server down.
 */
@ExtendWith(VertxExtension.class)
class KubernetesOpsAuthTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Tokens the fake API server knows, and who they belong to. */
    private static final Map<String, String> USERS =
            Map.of("reader-token", "system:serviceaccount:monitoring:reader", "bob-token", "bob");
    /** Who may get which non-resource URL (the ClusterRole acr-cache-webhook-ops-reader, bound). */
    private static final Set<String> GRANTS = Set.of(
            "system:serviceaccount:monitoring:reader /pull-failures", "system:serviceaccount:monitoring:reader /rules");

    private final AtomicInteger tokenReviews = new AtomicInteger();
    private final AtomicInteger accessReviews = new AtomicInteger();
    private KubernetesMockServer api;
    private KubernetesClient client;
    private HttpServer ops;
    private WebClient web;

    @BeforeEach
    void start(Vertx vertx) {
        api = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), false);
        api.init();
        api.expect()
                .post()
                .withPath("/apis/authentication.k8s.io/v1/tokenreviews")
                .andReply(201, request -> {
                    tokenReviews.incrementAndGet();
                    JsonNode review = JSON.readTree(request.getBody().readUtf8());
                    String user = USERS.get(review.path("spec").path("token").asText());
                    Map<String, Object> status = user == null
                            ? Map.of("authenticated", false, "error", "invalid bearer token")
                            : Map.of(
                                    "authenticated",
                                    true,
                                    "user",
                                    Map.of("username", user, "uid", "u-1", "groups", java.util.List.of("g")));
                    return Map.of(
                            "apiVersion", "authentication.k8s.io/v1",
                            "kind", "TokenReview",
                            "status", status);
                })
                .always();
        api.expect()
                .post()
                .withPath("/apis/authorization.k8s.io/v1/subjectaccessreviews")
                .andReply(201, request -> {
                    accessReviews.incrementAndGet();
                    JsonNode spec = JSON.readTree(request.getBody().readUtf8()).path("spec");
                    JsonNode attrs = spec.path("nonResourceAttributes");
                    boolean allowed = "get".equals(attrs.path("verb").asText())
                            && GRANTS.contains(spec.path("user").asText() + " "
                                    + attrs.path("path").asText());
                    return Map.of(
                            "apiVersion",
                            "authorization.k8s.io/v1",
                            "kind",
                            "SubjectAccessReview",
                            "status",
                            allowed ? Map.of("allowed", true) : Map.of("allowed", false, "reason", "no RBAC rule"));
                })
                .always();
        client = api.createClient(b -> b.withHttpClientFactory(new Vertx5HttpClientFactory(vertx)));
        ops = serve(vertx, new KubernetesAccessReviewer(vertx, client));
        web = WebClient.create(vertx);
    }

    @AfterEach
    void stop() {
        web.close();
        ops.close().await();
        client.close();
        api.destroy();
    }

    private static HttpServer serve(Vertx vertx, AccessReviewer reviewer) {
        Router router = Router.router(vertx);
        OpsAuthHandler auth = new OpsAuthHandler(reviewer);
        router.get("/healthz").handler(ctx -> ctx.end("ok"));
        for (String path : new String[] {"/pull-failures", "/rules", "/doctor"}) {
            router.get(path).handler(auth).handler(ctx -> ctx.end("secret of " + path));
        }
        return vertx.createHttpServer().requestHandler(router).listen(0).await();
    }

    private HttpResponse<Buffer> get(HttpServer server, String path, String token) {
        var request = web.get(server.actualPort(), "127.0.0.1", path);
        if (token != null) {
            request.putHeader("Authorization", "Bearer " + token);
        }
        return request.send().await();
    }

    @Test
    void noTokenIs401WithAChallengeAndHealthStaysOpen() {
        HttpResponse<Buffer> r = get(ops, "/pull-failures", null);
        assertEquals(401, r.statusCode());
        assertEquals("Bearer realm=\"acr-cache-webhook\"", r.getHeader("WWW-Authenticate"));
        assertTrue(r.bodyAsString().contains("Authorization: Bearer"), r.bodyAsString());
        assertEquals(200, get(ops, "/healthz", null).statusCode());
        assertEquals(0, tokenReviews.get(), "no token, no question to the API server");
    }

    @Test
    void anUnknownTokenIs401() {
        HttpResponse<Buffer> r = get(ops, "/rules", "forged");
        assertEquals(401, r.statusCode());
        assertTrue(r.bodyAsString().contains("invalid bearer token"), r.bodyAsString());
    }

    @Test
    void aUserWithoutRbacIs403AndNamesTheRoleToGrant() {
        HttpResponse<Buffer> r = get(ops, "/pull-failures", "bob-token");
        assertEquals(403, r.statusCode());
        assertTrue(r.bodyAsString().contains("bob may not get /pull-failures"), r.bodyAsString());
        assertTrue(r.bodyAsString().contains("acr-cache-webhook-ops-reader"), r.bodyAsString());
    }

    @Test
    void aUserWithRbacReadsAndIsCachedPerPath() {
        HttpResponse<Buffer> r = get(ops, "/pull-failures", "reader-token");
        assertEquals(200, r.statusCode());
        assertEquals("secret of /pull-failures", r.bodyAsString());
        assertEquals(200, get(ops, "/pull-failures", "reader-token").statusCode());
        assertEquals(1, tokenReviews.get(), "the token's identity is cached");
        assertEquals(1, accessReviews.get(), "the decision is cached");
        assertEquals(200, get(ops, "/rules", "reader-token").statusCode());
        assertEquals(403, get(ops, "/doctor", "reader-token").statusCode(), "granted per path");
        assertEquals(1, tokenReviews.get());
        assertEquals(3, accessReviews.get());
    }

    @Test
    void theApiServerDownIs503AndNotCached(Vertx vertx) throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        try (KubernetesClient down = new KubernetesClientBuilder()
                .withHttpClientFactory(new Vertx5HttpClientFactory(vertx))
                .withConfig(new io.fabric8.kubernetes.client.ConfigBuilder()
                        .withMasterUrl("http://127.0.0.1:" + dead)
                        .withRequestRetryBackoffLimit(0)
                        .build())
                .build()) {
            HttpServer closed = serve(vertx, new KubernetesAccessReviewer(vertx, down));
            try {
                HttpResponse<Buffer> r = get(closed, "/pull-failures", "reader-token");
                assertEquals(503, r.statusCode(), "fails closed");
                assertTrue(r.bodyAsString().contains("cannot ask the Kubernetes API server"), r.bodyAsString());
                assertEquals(503, get(closed, "/pull-failures", "reader-token").statusCode());
            } finally {
                closed.close().await();
            }
        }
    }

    @Test
    void onlyABearerHeaderCarriesAToken() {
        assertEquals("abc", OpsAuthHandler.bearer("Bearer abc"));
        assertEquals("abc", OpsAuthHandler.bearer("bearer  abc "));
        assertEquals(null, OpsAuthHandler.bearer("Basic abc"));
        assertEquals(null, OpsAuthHandler.bearer("Bearer "));
        assertEquals(null, OpsAuthHandler.bearer(null));
    }
}
