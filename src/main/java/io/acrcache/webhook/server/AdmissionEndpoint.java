package io.acrcache.webhook.server;

import io.acrcache.webhook.admission.AdmissionResult;
import io.acrcache.webhook.admission.AdmissionReviewHandler;
import io.acrcache.webhook.admission.MalformedReviewException;
import io.acrcache.webhook.config.Mode;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code POST /mutate} and {@code POST /mutate/audit}: hands the body to the transport-free handler once and sends its
 * answer once. Runs on the event loop: the work is parsing and matching in memory, no I/O. When the handler's
 * {@link io.acrcache.webhook.admission.PlanReviser} waits (the registry guard, bounded and never blocking), the answer
 * is written when it completes, back on this request's context.
 */
final class AdmissionEndpoint {
    private static final CharSequence CONTENT_TYPE = HttpHeaders.CONTENT_TYPE;
    private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");

    private final AdmissionReviewHandler handler;
    private final Mode forcedMode;
    private final AdmissionObserver observer;
    private final WarmUp.Marker warmUp;

    /**
     * @param warmUp on the warm-up's own path: only requests it marks are answered there ({@link #accepts}); they are
     *     not revised (no probes for synthetic images) and are neither counted nor logged. Null on the admission paths
     */
    AdmissionEndpoint(
            AdmissionReviewHandler handler, Mode forcedMode, AdmissionObserver observer, WarmUp.Marker warmUp) {
        this.handler = handler;
        this.forcedMode = forcedMode;
        this.observer = observer;
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
        CompletionStage<AdmissionResult> answer;
        try {
            answer = review(body, !synthetic, synthetic ? null : timeout(request));
        } catch (MalformedReviewException e) {
            if (!synthetic) {
                observer.malformed(e.getMessage());
            }
            badRequest(request.response(), e.getMessage());
            return;
        }
        CompletableFuture<AdmissionResult> now = answer.toCompletableFuture();
        if (now.isDone()) {
            send(request.response(), now.join(), start, synthetic); // the handler never completes exceptionally
            return;
        }
        Context context = Vertx.currentContext();
        answer.whenComplete(
                (result, error) -> context.runOnContext(v -> send(request.response(), result, start, false)));
    }

    /** The apiserver's {@code ?timeout=}; null when absent or when the query cannot be decoded (the default budget). */
    private static String timeout(HttpServerRequest request) {
        try {
            return request.getParam("timeout");
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private CompletionStage<AdmissionResult> review(Buffer body, boolean revise, String timeout)
            throws MalformedReviewException {
        byte[] array = VertxInternals.heapArray(body);
        if (array != null) {
            return handler.review(array, VertxInternals.heapOffset(body), body.length(), forcedMode, revise, timeout);
        }
        byte[] bytes = body.getBytes();
        return handler.review(bytes, 0, bytes.length, forcedMode, revise, timeout);
    }

    private void send(HttpServerResponse response, AdmissionResult result, long start, boolean synthetic) {
        if (response.ended() || response.closed()) {
            return; // timed out (408) or the apiserver went away while the reviser waited
        }
        response.putHeader(CONTENT_TYPE, JSON).end(VertxInternals.wrap(result.body()));
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
