package io.acrcache.webhook.server;

import io.acrcache.webhook.admission.AdmissionResult;
import io.acrcache.webhook.admission.AdmissionReviewHandler;
import io.acrcache.webhook.admission.MalformedReviewException;
import io.acrcache.webhook.admission.ReviewPlan;
import io.acrcache.webhook.config.Mode;
import io.acrcache.webhook.guard.Guard;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.JsonObject;

import java.util.function.Supplier;

/**
 * {@code POST /mutate} and {@code POST /mutate/audit}: hands the body to the transport-free handler and sends its
 * answer. Runs on the event loop: the work is parsing and matching in memory, no I/O. With the registry guard on, a
 * plan with rewrites waits (bounded, never blocking) for the guard's verdicts and the answer is written from that
 * callback.
 */
final class AdmissionEndpoint {
    private static final CharSequence CONTENT_TYPE = HttpHeaders.CONTENT_TYPE;
    private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");

    private final AdmissionReviewHandler handler;
    private final Mode forcedMode;
    private final AdmissionObserver observer;
    private final Supplier<Guard> guard;
    private final WarmUp.Marker warmUp;

    /**
     * @param guard the registry guard now, null while it is off
     * @param warmUp on the warm-up's own path: only requests it marks are answered there ({@link #accepts}); they skip
     *     the guard (no probes for synthetic images) and are neither counted nor logged. Null on the admission paths
     */
    AdmissionEndpoint(
            AdmissionReviewHandler handler,
            Mode forcedMode,
            AdmissionObserver observer,
            Supplier<Guard> guard,
            WarmUp.Marker warmUp) {
        this.handler = handler;
        this.forcedMode = forcedMode;
        this.observer = observer;
        this.guard = guard;
        this.warmUp = warmUp;
    }

    /** False for a request the warm-up's route does not answer (it is not marked): those get the router's 404. */
    boolean accepts(HttpServerRequest request) {
        return warmUp == null || warmUp.isWarmUp(request);
    }

    /**
     * Answers one review.
     *
     * @param body the whole body, null when the request had none
     * @param start {@link System#nanoTime()} when the request arrived
     */
    void handle(HttpServerRequest request, Buffer body, long start) {
        boolean synthetic = warmUp != null;
        if (body == null || body.length() == 0) {
            badRequest(request.response(), "empty body: expected an AdmissionReview");
            return;
        }
        AdmissionResult result;
        try {
            ReviewPlan planned = plan(body);
            if (planned instanceof ReviewPlan.Planned p) {
                Guard g = synthetic ? null : guard.get();
                if (g != null && p.plan().hasRewrites()) {
                    GuardStep.answer(handler, g, p.context(), p.plan(), request.getParam("timeout"))
                            .onComplete(ar -> send(
                                    request.response(),
                                    ar.succeeded() ? ar.result() : p.context().errored(ar.cause()),
                                    start,
                                    false));
                    return;
                }
                result = handler.answer(p.context(), p.plan());
            } else {
                result = ((ReviewPlan.Answered) planned).result();
            }
        } catch (MalformedReviewException e) {
            if (!synthetic) {
                observer.malformed(e.getMessage());
            }
            badRequest(request.response(), e.getMessage());
            return;
        }
        send(request.response(), result, start, synthetic);
    }

    /** Reads the body where it lies when it is a heap buffer (the body handler's is), instead of copying it out. */
    private ReviewPlan plan(Buffer body) throws MalformedReviewException {
        if (body instanceof BufferInternal internal) {
            ByteBuf buf = internal.getByteBuf();
            if (buf.hasArray()) {
                return handler.plan(
                        buf.array(), buf.arrayOffset() + buf.readerIndex(), buf.readableBytes(), forcedMode);
            }
        }
        return handler.plan(body.getBytes(), forcedMode);
    }

    private void send(HttpServerResponse response, AdmissionResult result, long start, boolean synthetic) {
        if (response.ended() || response.closed()) {
            return; // timed out (408) or the apiserver went away while the guard waited
        }
        response.putHeader(CONTENT_TYPE, JSON).end(BufferInternal.buffer(Unpooled.wrappedBuffer(result.body())));
        if (synthetic) {
            observer.rehearse(result);
        } else {
            observer.answered(result, System.nanoTime() - start);
        }
    }

    private static void badRequest(HttpServerResponse response, String message) {
        response.setStatusCode(400)
                .putHeader(CONTENT_TYPE, JSON)
                .end(new JsonObject().put("error", message).encode());
    }
}
