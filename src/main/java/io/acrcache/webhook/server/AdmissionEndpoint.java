package io.acrcache.webhook.server;

import io.acrcache.webhook.admission.AdmissionResult;
import io.acrcache.webhook.admission.AdmissionReviewHandler;
import io.acrcache.webhook.admission.MalformedReviewException;
import io.acrcache.webhook.config.Mode;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /mutate} and {@code POST /mutate/audit}: hands the body to the transport-free handler and sends its
 * answer. Runs on the event loop: the work is parsing and matching in memory, no I/O.
 */
final class AdmissionEndpoint implements Handler<RoutingContext> {
    private final AdmissionReviewHandler handler;
    private final Mode forcedMode;
    private final AdmissionObserver observer;

    AdmissionEndpoint(AdmissionReviewHandler handler, Mode forcedMode, AdmissionObserver observer) {
        this.handler = handler;
        this.forcedMode = forcedMode;
        this.observer = observer;
    }

    @Override
    public void handle(RoutingContext ctx) {
        long start = System.nanoTime();
        Buffer body = ctx.body().buffer();
        if (body == null || body.length() == 0) {
            badRequest(ctx, "empty body: expected an AdmissionReview");
            return;
        }
        AdmissionResult result;
        try {
            result = handler.handle(body.getBytes(), forcedMode);
        } catch (MalformedReviewException e) {
            observer.malformed(e.getMessage());
            badRequest(ctx, e.getMessage());
            return;
        }
        ctx.response().putHeader("content-type", "application/json").end(Buffer.buffer(result.body()));
        observer.answered(result, System.nanoTime() - start);
    }

    private static void badRequest(RoutingContext ctx, String message) {
        ctx.response()
                .setStatusCode(400)
                .putHeader("content-type", "application/json")
                .end(new JsonObject().put("error", message).encode());
    }
}
