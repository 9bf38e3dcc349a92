package io.acrcache.webhook.azure;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiPredicate;

/**
 * ARM for one registry's {@code cacheRules} and {@code credentialSets} lists, as management.azure.com answers them:
 * bearer token checked, api-version checked, pages of {@code pageSize} items with an absolute {@code nextLink}
 * ({@code $skipToken}), and ARM's error body {@code {"error":{"code","message"}}} with
 * {@code x-ms-correlation-request-id}. Faults are set per page ({@code "cacheRules#2"}) or for every request
 * ({@code "*"}).
 */
public final class FakeArm implements AutoCloseable {
    public static final String REGISTRY_ID =
            "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/myResourceGroup"
                    + "/providers/Microsoft.ContainerRegistry/registries/myRegistry";

    /** What to do instead of answering normally. */
    sealed interface Fault {}

    public record Status(int status, String code, String message, Map<String, String> headers) implements Fault {}

    /** Answer the normal body only after this delay. */
    public record Slow(long millis) implements Fault {}

    /** Close the connection without answering. */
    public record Drop() implements Fault {}

    /** 200 with a body that is not JSON / not ARM's shape. */
    public record Body(String body) implements Fault {}

    private final Vertx vertx;
    private final HttpServer server;
    private final BiPredicate<String, String> tokenValid;
    public final List<String> requests = new CopyOnWriteArrayList<>();
    /** When each request arrived (System.nanoTime), in the order of {@link #requests}. */
    public final List<Long> arrivals = new CopyOnWriteArrayList<>();

    public final Map<String, Fault> faults = new ConcurrentHashMap<>();
    public volatile JsonArray cacheRules;
    public volatile JsonArray credentialSets;
    volatile int pageSize = 2;

    /** @param tokenValid (bearer token, scope) → accepted; usually {@link FakeEntra#valid} */
    public FakeArm(Vertx vertx, BiPredicate<String, String> tokenValid) {
        this.vertx = vertx;
        this.tokenValid = tokenValid;
        this.cacheRules = fixture("azure/cache-rules.json");
        this.credentialSets = fixture("azure/credential-sets.json");
        this.server = FakeTls.https(vertx, this::handle);
    }

    public String endpoint() {
        return "https://localhost:" + server.actualPort();
    }

    public String scope() {
        return endpoint() + "/.default";
    }

    public static JsonArray fixture(String resource) {
        try (InputStream in = FakeArm.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + resource);
            }
            return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8)).getJsonArray("value");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The cache rule named so, to change it in a test. */
    public JsonObject rule(String name) {
        return find(cacheRules, name);
    }

    public JsonObject credentialSet(String name) {
        return find(credentialSets, name);
    }

    private static JsonObject find(JsonArray list, String name) {
        for (int i = 0; i < list.size(); i++) {
            if (name.equals(list.getJsonObject(i).getString("name"))) {
                return list.getJsonObject(i);
            }
        }
        throw new IllegalArgumentException(name);
    }

    public long pagesServed(String collection) {
        return requests.stream().filter(r -> r.startsWith(collection)).count();
    }

    private void handle(HttpServerRequest request) {
        String path = request.path();
        String base = REGISTRY_ID + "/";
        String collection = path.regionMatches(true, 0, base, 0, base.length()) ? path.substring(base.length()) : "";
        JsonArray items = collection.equals("cacheRules")
                ? cacheRules
                : collection.equals("credentialSets") ? credentialSets : null;
        int skip = request.getParam("$skipToken") == null ? 0 : Integer.parseInt(request.getParam("$skipToken"));
        int page = skip / pageSize + 1;
        arrivals.add(System.nanoTime());
        requests.add(collection + "#" + page);
        String auth = request.getHeader("Authorization");
        if (auth == null) {
            error(
                    request,
                    401,
                    "AuthenticationFailed",
                    "Authentication failed. The 'Authorization' header is missing.");
            return;
        }
        if (!auth.startsWith("Bearer ") || !tokenValid.test(auth.substring(7), scope())) {
            request.response()
                    .putHeader(
                            "WWW-Authenticate",
                            "Bearer authorization_uri=\"https://login.windows.net/\","
                                    + " error=\"invalid_token\", error_description=\"The access token is invalid.\"");
            error(request, 401, "InvalidAuthenticationToken", "The access token is invalid.");
            return;
        }
        if (!ArmRegistryClient.API_VERSION.equals(request.getParam("api-version"))) {
            error(
                    request,
                    400,
                    "InvalidApiVersionParameter",
                    "The api-version '" + request.getParam("api-version") + "' is invalid.");
            return;
        }
        if (items == null) {
            error(request, 404, "ResourceNotFound", "The Resource '" + path + "' was not found.");
            return;
        }
        Fault fault = faults.getOrDefault("*", faults.get(collection + "#" + page));
        if (fault instanceof Status s) {
            s.headers().forEach(request.response()::putHeader);
            error(request, s.status(), s.code(), s.message());
            return;
        }
        if (fault instanceof Drop) {
            request.connection().close();
            return;
        }
        if (fault instanceof Body b) {
            request.response().putHeader("Content-Type", "application/json").end(b.body());
            return;
        }
        JsonArray value = new JsonArray();
        for (int i = skip; i < Math.min(items.size(), skip + pageSize); i++) {
            value.add(items.getValue(i));
        }
        JsonObject body = new JsonObject().put("value", value);
        if (skip + pageSize < items.size()) {
            body.put(
                    "nextLink",
                    endpoint() + path + "?api-version=" + ArmRegistryClient.API_VERSION + "&$skipToken="
                            + (skip + pageSize));
        }
        Runnable answer = () -> request.response()
                .putHeader("Content-Type", "application/json; charset=utf-8")
                .putHeader("x-ms-correlation-request-id", UUID.randomUUID().toString())
                .end(body.encode());
        if (fault instanceof Slow slow) {
            vertx.setTimer(slow.millis(), id -> {
                if (!request.response().closed()) {
                    answer.run();
                }
            });
        } else {
            answer.run();
        }
    }

    private static void error(HttpServerRequest request, int status, String code, String message) {
        request.response()
                .setStatusCode(status)
                .putHeader("Content-Type", "application/json; charset=utf-8")
                .putHeader("x-ms-correlation-request-id", UUID.randomUUID().toString())
                .putHeader("x-ms-failure-cause", "gateway")
                .end(new JsonObject()
                        .put("error", new JsonObject().put("code", code).put("message", message))
                        .encode());
    }

    @Override
    public void close() {
        FakeTls.await(server.close());
    }
}
