package io.acrcache.webhook.doctor;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * An ACR login server as the doctor's pull check meets it, on plain HTTP: {@code /v2/} with ACR's Bearer challenge,
 * {@code POST /oauth2/exchange} (Entra token in, refresh token out) and {@code POST /oauth2/token} (access token per
 * {@code repository:<repo>:pull}), and manifest HEADs answered per {@code repo:reference} (servable by default, with
 * {@code X-Azure-Origin: upstream} as ACR sends for content fetched from the source).
 */
final class FakeLoginServer implements AutoCloseable {
    static final String DIGEST = "sha256:d37ada95d47ad12224c205a938129df7a3e52345828b4fa27b03a98825d1e2e7";

    private final HttpServer server;
    final String login;
    /** repo:reference → answer; absent: servable. */
    final Map<String, Consumer<HttpServerResponse>> manifests = new ConcurrentHashMap<>();

    final AtomicInteger heads = new AtomicInteger();
    final AtomicInteger gets = new AtomicInteger();
    volatile boolean refuseExchange;

    FakeLoginServer(Vertx vertx) throws Exception {
        Router router = Router.router(vertx);
        router.post("/oauth2/*").handler(BodyHandler.create());
        router.get("/v2/").handler(ctx -> challenge(ctx.response(), null).end());
        router.post("/oauth2/exchange").handler(ctx -> {
            var form = ctx.request().formAttributes();
            if (refuseExchange || !"access_token".equals(form.get("grant_type")) || form.get("access_token") == null) {
                ctx.response()
                        .setStatusCode(401)
                        .end("{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}");
                return;
            }
            ctx.json(new JsonObject().put("refresh_token", "refresh-opaque"));
        });
        router.post("/oauth2/token").handler(ctx -> {
            var form = ctx.request().formAttributes();
            if (!"refresh-opaque".equals(form.get("refresh_token"))) {
                ctx.response().setStatusCode(401).end();
                return;
            }
            ctx.json(new JsonObject().put("access_token", "access:" + form.get("scope")));
        });
        router.routeWithRegex("/v2/(.+)/manifests/([^/]+)").handler(ctx -> {
            String repo = ctx.pathParam("param0");
            (ctx.request().method().name().equals("GET") ? gets : heads).incrementAndGet();
            String auth = ctx.request().getHeader("Authorization");
            if (!("Bearer access:repository:" + repo + ":pull").equals(auth)) {
                challenge(ctx.response(), "repository:" + repo + ":pull").end();
                return;
            }
            manifests
                    .getOrDefault(repo + ":" + ctx.pathParam("param1"), FakeLoginServer::servable)
                    .accept(ctx.response());
        });
        server = vertx.createHttpServer()
                .requestHandler(router)
                .listen(0, "127.0.0.1")
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        login = "127.0.0.1:" + server.actualPort();
    }

    private HttpServerResponse challenge(HttpServerResponse r, String scope) {
        return r.setStatusCode(401)
                .putHeader(
                        "Www-Authenticate",
                        "Bearer realm=\"http://" + login + "/oauth2/token\",service=\"" + login + "\""
                                + (scope == null ? "" : ",scope=\"" + scope + "\""));
    }

    static void servable(HttpServerResponse r) {
        r.putHeader("Docker-Content-Digest", DIGEST)
                .putHeader("Content-Type", "application/vnd.oci.image.index.v1+json")
                .putHeader("X-Azure-Origin", "upstream")
                .end();
    }

    /** ACR's answer when a rule's credential set is refused upstream (its text in the challenge). */
    static Consumer<HttpServerResponse> status(int status, String header, String value) {
        return r -> {
            r.setStatusCode(status);
            if (header != null) {
                r.putHeader(header, value);
            }
            r.end();
        };
    }

    @Override
    public void close() throws Exception {
        server.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
