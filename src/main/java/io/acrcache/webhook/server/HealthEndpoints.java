package io.acrcache.webhook.server;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** {@code /healthz}: the process answers. {@code /readyz}: it should take traffic. */
final class HealthEndpoints {
    private final Readiness readiness;

    HealthEndpoints(Readiness readiness) {
        this.readiness = readiness;
    }

    void live(RoutingContext ctx) {
        json(ctx, 200, new JsonObject().put("status", "ok"));
    }

    void ready(RoutingContext ctx) {
        boolean ready = readiness.isReady();
        JsonObject body = new JsonObject().put("status", ready ? "ready" : "not ready");
        if (!ready) {
            body.put("waitingFor", new JsonArray(readiness.missing()));
        }
        java.util.Map<String, String> notes = readiness.notes();
        if (!notes.isEmpty()) {
            body.put("notes", new JsonObject(new java.util.LinkedHashMap<>(notes)));
        }
        if (!readiness.companions().isEmpty()) {
            // informational: a companion feature never takes admission out of service
            body.put("companions", new JsonObject(new java.util.LinkedHashMap<>(readiness.companions())));
        }
        json(ctx, ready ? 200 : 503, body);
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response()
                .setStatusCode(status)
                .putHeader("content-type", "application/json")
                .end(body.encode());
    }
}
