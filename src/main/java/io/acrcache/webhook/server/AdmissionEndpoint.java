package io.acrcache.webhook.server;

import io.acrcache.webhook.admission.AdmissionResult;
import io.acrcache.webhook.admission.AdmissionReviewHandler;
import io.acrcache.webhook.admission.MalformedReviewException;
import io.acrcache.webhook.config.Mode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.internal.buffer.BufferInternal;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code POST /mutate} and {@code POST /mutate/audit}: hands the body to the transport-free handler and sends its
 * answer. Runs on the event loop: the work is parsing and matching in memory, no I/O.
 */
final class AdmissionEndpoint implements Handler<RoutingContext> {
    private static final CharSequence CONTENT_TYPE = HttpHeaders.CONTENT_TYPE;
    private static final CharSequence JSON = HttpHeaders.createOptimized("application/json");

    private final AdmissionReviewHandler handler;
    private final Mode forcedMode;
    private final AdmissionObserver observer;
    private final WarmUp.Marker warmUp;

    /**
     * @param warmUp on the warm-up's own route: only requests it marks are answered there (the rest fall through to a
     *     404), and they are neither counted nor logged; null on the admission routes
     */
    AdmissionEndpoint(
            AdmissionReviewHandler handler, Mode forcedMode, AdmissionObserver observer, WarmUp.Marker warmUp) {
        this.handler = handler;
        this.forcedMode = forcedMode;
        this.observer = observer;
        this.warmUp = warmUp;
    }

    @Override
    public void handle(RoutingContext ctx) {
        long start = System.nanoTime();
        boolean synthetic = warmUp != null;
        if (synthetic && !warmUp.isWarmUp(ctx.request())) {
            ctx.next();
            return;
        }
        Buffer body = ctx.body().buffer();
        if (body == null || body.length() == 0) {
            badRequest(ctx, "empty body: expected an AdmissionReview");
            return;
        }
        AdmissionResult result;
        try {
            result = handle(body);
        } catch (MalformedReviewException e) {
            if (!synthetic) {
                observer.malformed(e.getMessage());
            }
            badRequest(ctx, e.getMessage());
            return;
        }
        ctx.response().putHeader(CONTENT_TYPE, JSON).end(BufferInternal.buffer(Unpooled.wrappedBuffer(result.body())));
        if (synthetic) {
            observer.rehearse(result);
        } else {
            observer.answered(result, System.nanoTime() - start);
        }
    }

    /** Parses the body where it lies when it is a heap buffer (the body handler's is), instead of copying it out. */
    private AdmissionResult handle(Buffer body) throws MalformedReviewException {
        if (body instanceof BufferInternal internal) {
            ByteBuf buf = internal.getByteBuf();
            if (buf.hasArray()) {
                return handler.handle(
                        buf.array(), buf.arrayOffset() + buf.readerIndex(), buf.readableBytes(), forcedMode);
            }
        }
        return handler.handle(body.getBytes(), forcedMode);
    }

    private static void badRequest(RoutingContext ctx, String message) {
        ctx.response()
                .setStatusCode(400)
                .putHeader(CONTENT_TYPE, JSON)
                .end(new JsonObject().put("error", message).encode());
    }
}
