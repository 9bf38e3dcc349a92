package io.acrcache.webhook.server;

import io.acrcache.webhook.admission.AdmissionResult;
import io.acrcache.webhook.admission.AdmissionReviewHandler;
import io.acrcache.webhook.admission.MalformedReviewException;
import io.acrcache.webhook.admission.ReviewPlan;
import io.acrcache.webhook.config.Mode;
import io.acrcache.webhook.guard.Guard;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.function.Supplier;

/**
 * {@code POST /mutate} and {@code POST /mutate/audit}: hands the body to the transport-free handler and sends its
 * answer. Runs on the event loop: the work is parsing and matching in memory, no I/O. With the registry guard on, a
 * plan with rewrites waits (bounded, never blocking) for the guard's verdicts and the answer is written from that
 * callback.
 */
final class AdmissionEndpoint implements Handler<RoutingContext> {
    private final AdmissionReviewHandler handler;
    private final Mode forcedMode;
    private final AdmissionObserver observer;
    private final Supplier<Guard> guard;

    /** @param guard the registry guard now, null while it is off */
    AdmissionEndpoint(
            AdmissionReviewHandler handler, Mode forcedMode, AdmissionObserver observer, Supplier<Guard> guard) {
        this.handler = handler;
        this.forcedMode = forcedMode;
        this.observer = observer;
        this.guard = guard;
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
            ReviewPlan planned = handler.plan(body.getBytes(), forcedMode);
            if (planned instanceof ReviewPlan.Planned p) {
                Guard g = guard.get();
                if (g != null && p.plan().hasRewrites()) {
                    GuardStep.answer(
                                    handler,
                                    g,
                                    p.context(),
                                    p.plan(),
                                    ctx.request().getParam("timeout"))
                            .onComplete(ar -> send(
                                    ctx,
                                    ar.succeeded() ? ar.result() : p.context().errored(ar.cause()),
                                    start));
                    return;
                }
                result = handler.answer(p.context(), p.plan());
            } else {
                result = ((ReviewPlan.Answered) planned).result();
            }
        } catch (MalformedReviewException e) {
            observer.malformed(e.getMessage());
            badRequest(ctx, e.getMessage());
            return;
        }
        send(ctx, result, start);
    }

    private void send(RoutingContext ctx, AdmissionResult result, long start) {
        if (ctx.response().ended() || ctx.response().closed()) {
            return; // timed out (408) or the apiserver went away while the guard waited
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
