package io.acrcache.webhook.guard;

import io.acrcache.webhook.guard.auth.Jwt;
import io.acrcache.webhook.tls.CertificateBundle;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An in-process stand-in for an ACR login server on plain HTTP: {@code /v2/} with ACR's Bearer challenge,
 * {@code /oauth2/exchange} and {@code /oauth2/token} with ACR's form parameters and JSON answers (JWTs carrying
 * {@code exp}), and manifest HEADs answered per {@code repository:reference} by a script. Tokens are checked like ACR
 * checks them: a HEAD without a valid access token for the repository gets a 401 challenge.
 */
final class FakeAcr implements AutoCloseable {
    static final String ENTRA_TOKEN_TID = "11111111-2222-3333-4444-555555555555";

    final Vertx vertx;
    final Clock clock;
    final HttpServer server;
    volatile String login;
    final String scheme;
    final Map<String, Consumer<HttpServerRequest>> manifests = new ConcurrentHashMap<>();
    final Map<String, AtomicInteger> headsByManifest = new ConcurrentHashMap<>();
    final AtomicInteger heads = new AtomicInteger();
    final AtomicInteger gets = new AtomicInteger();
    final AtomicInteger pings = new AtomicInteger();
    final AtomicInteger exchanges = new AtomicInteger();
    final List<String> tokenScopes = new CopyOnWriteArrayList<>();
    volatile Duration refreshLifetime = Duration.ofHours(3);
    volatile Duration accessLifetime = Duration.ofMinutes(75);
    volatile boolean requireAuth = true;
    volatile boolean allowAnonymous;
    volatile Duration tokenDelay;
    volatile Consumer<HttpServerRequest> tokenAnswer; // overrides /oauth2/token when set
    volatile Consumer<HttpServerRequest> pingAnswer; // overrides /v2/ when set
    volatile String expectedEntraToken;
    private final Map<String, Boolean> issuedRefresh = new ConcurrentHashMap<>();

    FakeAcr(Vertx vertx, Clock clock) throws Exception {
        this(vertx, clock, null);
    }

    /** @param tls serve HTTPS with this certificate (as ACR does), or plain HTTP when null */
    FakeAcr(Vertx vertx, Clock clock, CertificateBundle tls) throws Exception {
        this.vertx = vertx;
        this.scheme = tls == null ? "http" : "https";
        this.clock = clock;
        Router router = Router.router(vertx);
        router.post("/oauth2/*").handler(BodyHandler.create());
        router.get("/v2/").handler(ctx -> {
            pings.incrementAndGet();
            if (pingAnswer != null) {
                pingAnswer.accept(ctx.request());
                return;
            }
            ctx.response()
                    .setStatusCode(401)
                    .putHeader("Www-Authenticate", challenge(null))
                    .end();
        });
        router.post("/oauth2/exchange").handler(ctx -> {
            exchanges.incrementAndGet();
            var form = ctx.request().formAttributes();
            if (!"access_token".equals(form.get("grant_type"))
                    || !login.equals(form.get("service"))
                    || !ENTRA_TOKEN_TID.equals(form.get("tenant"))
                    || (expectedEntraToken != null && !expectedEntraToken.equals(form.get("access_token")))) {
                ctx.response().setStatusCode(401).end("{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
                return;
            }
            String refresh = jwt(new JsonObject()
                    .put("sub", "guard")
                    .put("jti", "r" + exchanges.get())
                    .put("exp", clock.instant().plus(refreshLifetime).getEpochSecond()));
            issuedRefresh.put(refresh, true);
            ctx.json(new JsonObject().put("refresh_token", refresh));
        });
        router.route("/oauth2/token").handler(ctx -> {
            Duration delay = tokenDelay;
            if (delay != null) {
                vertx.setTimer(delay.toMillis(), id -> ctx.next());
            } else {
                ctx.next();
            }
        });
        router.route("/oauth2/token").handler(ctx -> {
            if (tokenAnswer != null) {
                tokenAnswer.accept(ctx.request());
                return;
            }
            boolean anonymous = ctx.request().method().name().equals("GET");
            var form = anonymous ? ctx.request().params() : ctx.request().formAttributes();
            String scope = form.get("scope");
            tokenScopes.add(scope);
            if (anonymous ? !allowAnonymous : !"refresh_token".equals(form.get("grant_type"))) {
                ctx.response().setStatusCode(401).end("{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
                return;
            }
            if ((!anonymous && !issuedRefresh.containsKey(String.valueOf(form.get("refresh_token"))))
                    || !login.equals(form.get("service"))
                    || scope == null
                    || !scope.startsWith("repository:")
                    || !scope.endsWith(":pull")) {
                ctx.response().setStatusCode(401).end("{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
                return;
            }
            String repo = scope.substring("repository:".length(), scope.length() - ":pull".length());
            String access = jwt(new JsonObject()
                    .put("exp", clock.instant().plus(accessLifetime).getEpochSecond())
                    .put(
                            "access",
                            new JsonArray()
                                    .add(new JsonObject()
                                            .put("type", "repository")
                                            .put("name", repo)
                                            .put("actions", new JsonArray().add("pull")))));
            ctx.json(anonymous ? new JsonObject().put("token", access) : new JsonObject().put("access_token", access));
        });
        router.routeWithRegex("/v2/(.+)/manifests/([^/]+)").handler(ctx -> {
            HttpServerRequest req = ctx.request();
            String repo = ctx.pathParam("param0");
            String ref = ctx.pathParam("param1");
            if (req.method().name().equals("GET")) {
                gets.incrementAndGet();
            } else {
                heads.incrementAndGet();
            }
            headsByManifest
                    .computeIfAbsent(repo + ":" + ref, k -> new AtomicInteger())
                    .incrementAndGet();
            if (requireAuth && !authorized(req.getHeader("Authorization"), repo)) {
                req.response()
                        .setStatusCode(401)
                        .putHeader("Www-Authenticate", challenge("repository:" + repo + ":pull"))
                        .end();
                return;
            }
            manifests.getOrDefault(repo + ":" + ref, FakeAcr::manifestUnknown).accept(req);
        });
        HttpServerOptions options = new HttpServerOptions();
        if (tls != null) {
            options.setSsl(true)
                    .setKeyCertOptions(new PemKeyCertOptions()
                            .setCertValue(Buffer.buffer(tls.certificatePem()))
                            .setKeyValue(Buffer.buffer(tls.keyPem())));
        }
        server = vertx.createHttpServer(options)
                .requestHandler(router)
                .listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        login = "127.0.0.1:" + server.actualPort();
    }

    String challenge(String scope) {
        return "Bearer realm=\"" + scheme + "://" + login + "/oauth2/token\",service=\"" + login + "\""
                + (scope == null ? "" : ",scope=\"" + scope + "\"");
    }

    private boolean authorized(String header, String repo) {
        if (header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        var claims = Jwt.payload(header.substring(7));
        if (claims.isEmpty()
                || claims.get().getLong("exp", 0L) <= clock.instant().getEpochSecond()) {
            return false;
        }
        JsonArray access = claims.get().getJsonArray("access", new JsonArray());
        for (int i = 0; i < access.size(); i++) {
            if (repo.equals(access.getJsonObject(i).getString("name"))) {
                return true;
            }
        }
        return false;
    }

    int headsOf(String repoAndRef) {
        AtomicInteger n = headsByManifest.get(repoAndRef);
        return n == null ? 0 : n.get();
    }

    // ---- scripted answers ----

    static void manifestUnknown(HttpServerRequest req) {
        req.response()
                .setStatusCode(404)
                .putHeader("Content-Type", "application/json")
                .end("{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest tagged by \\\"x\\\" is not"
                        + " found\"}]}");
    }

    static Consumer<HttpServerRequest> servable(String digest, String origin) {
        return req -> {
            var resp = req.response()
                    .setStatusCode(200)
                    .putHeader("Content-Type", "application/vnd.oci.image.index.v1+json")
                    .putHeader("Docker-Content-Digest", digest)
                    .putHeader("Content-Length", "512");
            if (origin != null) {
                resp.putHeader("X-Azure-Origin", origin);
            }
            resp.end();
        };
    }

    /** A status with ACR's error text where a HEAD can carry it: in the challenge's error_description. */
    static Consumer<HttpServerRequest> error(int status, String message, Map<String, String> headers) {
        return req -> {
            var resp = req.response().setStatusCode(status);
            headers.forEach(resp::putHeader);
            if (message != null && status == 401) {
                resp.putHeader(
                        "Www-Authenticate",
                        "Bearer realm=\"x\",error=\"unauthorized\",error_description=\"" + message + "\"");
            } else if (message != null) {
                resp.putHeader("X-Ms-Error", message);
            }
            resp.end("{\"errors\":[{\"code\":\"" + status + "\",\"message\":\"" + message + "\"}]}");
        };
    }

    static Consumer<HttpServerRequest> slow(Vertx vertx, Duration delay, Consumer<HttpServerRequest> then) {
        return req -> vertx.setTimer(delay.toMillis(), id -> then.accept(req));
    }

    static Consumer<HttpServerRequest> reset() {
        return req -> req.connection().close();
    }

    static String jwt(JsonObject claims) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"RS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8))
                + "." + b64.encodeToString("not-verified-by-the-guard".getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
