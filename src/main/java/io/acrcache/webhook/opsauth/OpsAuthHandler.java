package io.acrcache.webhook.opsauth;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.logging.Logger;

/**
 * Lets a request through to an ops route only when the cluster authorizes its bearer token for the path: 401 without a
 * token or with one the API server does not recognise, 403 when the user may not {@code get} the path, 503 when the API
 * server cannot be asked (closed, never open).
 */
public final class OpsAuthHandler implements Handler<RoutingContext> {
    private static final Logger LOG = Logger.getLogger(OpsAuthHandler.class.getName());
    private static final String BEARER = "bearer ";

    private final AccessReviewer reviewer;

    public OpsAuthHandler(AccessReviewer reviewer) {
        this.reviewer = reviewer;
    }

    @Override
    public void handle(RoutingContext ctx) {
        String token = bearer(ctx.request().getHeader(HttpHeaders.AUTHORIZATION));
        if (token == null) {
            refuse(
                    ctx,
                    AccessDecision.unauthenticated("send Authorization: Bearer <token> (kubectl create token <service"
                            + " account>); see the chart README, Security"));
            return;
        }
        String path = ctx.request().path();
        reviewer.review(token, path).onComplete(ar -> {
            AccessDecision d = ar.succeeded() ? ar.result() : AccessDecision.unavailable(String.valueOf(ar.cause()));
            if (d.kind() == AccessDecision.Kind.ALLOWED) {
                ctx.next();
            } else {
                if (d.kind() == AccessDecision.Kind.FORBIDDEN) {
                    LOG.fine(() -> "ops: " + d.reason());
                }
                refuse(ctx, d);
            }
        });
    }

    private static void refuse(RoutingContext ctx, AccessDecision d) {
        if (ctx.response().ended()) {
            return;
        }
        if (d.kind() == AccessDecision.Kind.UNAUTHENTICATED) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer realm=\"acr-cache-webhook\"");
        }
        ctx.response()
                .setStatusCode(d.kind().status())
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(new JsonObject().put("error", d.reason()).encode());
    }

    /** The token of an {@code Authorization: Bearer} header, or null. */
    static String bearer(String header) {
        if (header == null
                || header.length() <= BEARER.length()
                || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        String token = header.substring(BEARER.length()).trim();
        return token.isEmpty() ? null : token;
    }
}
