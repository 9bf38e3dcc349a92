package io.acrcache.webhook.server;

import io.netty.handler.codec.DecoderException;
import io.vertx.core.Context;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The admission listener's request handler. A POST to an admission path goes straight to its endpoint, the body
 * gathered here under the size limit and the request timeout; everything else goes to the router. The router's body and
 * timeout handlers cost about 5 % of the CPU of a review under load (a context, handler lists, a timer promise,
 * form-upload bookkeeping per request; docs/benchmarks.md), for nothing this listener uses. Admission paths spelled
 * another way ({@code /mutate/}) still reach the router, whose admission routes hand over to {@link #route}: one
 * behaviour.
 */
final class AdmissionRequests implements Handler<HttpServerRequest> {
    /** The listener's name in log lines, here and in the router's answers. */
    static final String LISTENER = "admission";
    /** Initial body buffer when the length is unknown. */
    private static final int UNKNOWN_LENGTH_BUFFER = 1024;
    /** The most preallocated from a Content-Length (a larger body grows the buffer as it comes). */
    private static final int MAX_PREALLOCATED = 65535;

    private final AdmissionEndpoint mutate;
    private final AdmissionEndpoint audit;
    private final AdmissionEndpoint warmUp;
    private final Router router;
    private final int bodyLimit;
    private final long timeoutMillis;

    AdmissionRequests(
            AdmissionEndpoint mutate,
            AdmissionEndpoint audit,
            AdmissionEndpoint warmUp,
            Router router,
            int bodyLimit,
            long timeoutMillis) {
        this.mutate = mutate;
        this.audit = audit;
        this.warmUp = warmUp;
        this.router = router;
        this.bodyLimit = bodyLimit;
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void handle(HttpServerRequest request) {
        if (request.method() == HttpMethod.POST) {
            AdmissionEndpoint endpoint = endpoint(request.path());
            if (endpoint != null && endpoint.accepts(request)) {
                receive(request, endpoint);
                return;
            }
        }
        router.handle(request);
    }

    /** The router's handler for an admission route: the same as a request on the exact path. */
    Handler<RoutingContext> route(String path) {
        AdmissionEndpoint endpoint = endpoint(path);
        return ctx -> {
            if (endpoint.accepts(ctx.request())) {
                receive(ctx.request(), endpoint);
            } else {
                ctx.next();
            }
        };
    }

    private AdmissionEndpoint endpoint(String path) {
        if (WebhookServer.MUTATE_PATH.equals(path)) {
            return mutate;
        } else if (WebhookServer.AUDIT_PATH.equals(path)) {
            return audit;
        } else if (WarmUp.PATH.equals(path)) {
            return warmUp;
        }
        return null;
    }

    /**
     * Checks the announced length, then gathers the body and hands it over; answers 413 past the limit and 408 when the
     * request is not complete in time (the clock runs from its arrival, so a body trickling in is cut off too).
     */
    private void receive(HttpServerRequest request, AdmissionEndpoint endpoint) {
        long start = System.nanoTime();
        long length = contentLength(request);
        // HTTP/2 carries no Transfer-Encoding: its body comes in frames whatever the length says
        boolean framed =
                request.version() == HttpVersion.HTTP_2 || request.headers().contains(HttpHeaders.TRANSFER_ENCODING);
        if (length < 0 && !framed) {
            endpoint.handle(request, null, start); // no body: a 400 that says so
            return;
        }
        if (length > bodyLimit) {
            ClientErrors.reject(request, LISTENER, 413);
            return;
        }
        String expect = request.getHeader(HttpHeaders.EXPECT);
        if (expect != null) {
            if (!expect.equalsIgnoreCase("100-continue")) {
                ClientErrors.reject(request, LISTENER, 417);
                return;
            }
            if (request.version() != HttpVersion.HTTP_1_0) {
                request.response().writeContinue();
            }
        }
        new Body(request, endpoint, start, length).read();
    }

    private static long contentLength(HttpServerRequest request) {
        String value = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (value == null || value.isEmpty()) {
            return -1;
        }
        try {
            long parsed = Long.parseLong(value);
            return parsed < 0 ? -1 : parsed;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** One request's body on its way in. Event-loop confined. */
    private final class Body implements Handler<Buffer> {
        private final HttpServerRequest request;
        private final AdmissionEndpoint endpoint;
        private final long start;
        private final Context context;
        private Buffer buffer;
        private long received;
        /** Answered with an error: what still comes in is ignored. */
        private boolean failed;

        private ScheduledFuture<?> timer;

        Body(HttpServerRequest request, AdmissionEndpoint endpoint, long start, long length) {
            this.request = request;
            this.endpoint = endpoint;
            this.start = start;
            this.context = Vertx.currentContext();
            if (length >= 0) {
                buffer = Buffer.buffer((int) Math.min(length, MAX_PREALLOCATED)); // length <= bodyLimit: checked
            }
        }

        void read() {
            if (request.isEnded()) {
                endpoint.handle(request, buffer, start); // nothing more will come: empty, a 400 that says so
                return;
            }
            // on the Netty event loop itself (a Vert.x timer adds a promise and a listener per request); it runs until
            // the answer is sent, so a slow answer (the registry guard waiting) is cut off too
            timer = VertxInternals.nettyEventLoop().schedule(this::timedOut, timeoutMillis, TimeUnit.MILLISECONDS);
            request.response().endHandler(v -> timer.cancel(false));
            request.handler(this).endHandler(v -> end()).exceptionHandler(this::broken);
        }

        @Override
        public void handle(Buffer chunk) {
            if (failed) {
                return;
            }
            received += chunk.length();
            if (received > bodyLimit) {
                fail();
                ClientErrors.reject(request, LISTENER, 413);
                return;
            }
            if (buffer == null) {
                buffer = Buffer.buffer(UNKNOWN_LENGTH_BUFFER);
            }
            buffer.appendBuffer(chunk);
        }

        private void end() {
            if (failed) {
                return;
            }
            endpoint.handle(request, buffer, start);
        }

        private void broken(Throwable t) {
            if (failed) {
                return;
            }
            fail();
            // what the router's body handler reported: a decoding error is the client's (400), the rest (a connection
            // gone) with the response's status
            if (t instanceof DecoderException) {
                ClientErrors.reject(request, LISTENER, 400);
            } else {
                ClientErrors.failed(request, LISTENER, request.response().getStatusCode(), t);
            }
        }

        private void timedOut() {
            context.runOnContext(v -> {
                if (failed || request.response().ended() || request.response().closed()) {
                    return;
                }
                fail();
                ClientErrors.reject(request, LISTENER, 408);
            });
        }

        private void fail() {
            failed = true;
            timer.cancel(false);
        }
    }
}
