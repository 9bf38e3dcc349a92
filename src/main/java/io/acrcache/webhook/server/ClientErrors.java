package io.acrcache.webhook.server;

import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Answers for requests the router did not complete: client mistakes (a body too large, too slow, a path that is not
 * there) are logged at warn or debug with the status and the reason, never as a server error with a stack trace; a
 * client that hangs up mid-body is debug. Every answer is JSON, like the rest.
 */
final class ClientErrors {
    private static final Logger LOG = Logger.getLogger(ClientErrors.class.getName());

    private ClientErrors() {}

    /** @param listener names the listener in log lines ("admission", "ops") */
    static void install(Router router, String listener) {
        // every status a failure can carry, so nothing falls through to Vert.x's "Unhandled exception in router"
        // with a stack trace: a client hanging up mid-body fails the context with the response's status (200)
        // the handler's own status when the context has none: a path the router cannot decode fails with 400 and a
        // context status of -1
        for (int status = 100; status < 600; status++) {
            int s = status;
            router.errorHandler(status, ctx -> failed(ctx.request(), listener, statusOf(ctx, s), ctx.failure()));
        }
        for (int status : new int[] {400, 404, 405, 408, 413}) {
            int s = status;
            router.errorHandler(status, ctx -> reject(ctx.request(), listener, statusOf(ctx, s)));
        }
        // a failure with an exception and no status comes here as 500
        router.errorHandler(500, ctx -> failed(ctx.request(), listener, statusOf(ctx, 500), ctx.failure()));
    }

    private static int statusOf(RoutingContext ctx, int handled) {
        return ctx.statusCode() < 0 ? handled : ctx.statusCode();
    }

    /**
     * A client mistake: answered with {@code status} and its reason, logged at warn when it may say something about the
     * cluster (a body over the limit, a request too slow), at debug otherwise.
     */
    static void reject(HttpServerRequest request, String listener, int status) {
        switch (status) {
            case 413 ->
                clientMistake(
                        request, listener, 413, "request body over the limit (server.maxBodyBytes)", Level.WARNING);
            case 408 ->
                clientMistake(
                        request,
                        listener,
                        408,
                        "request not complete in time (server.requestTimeoutSeconds)",
                        Level.WARNING);
            case 400 -> clientMistake(request, listener, 400, "bad request", Level.FINE);
            case 404 -> clientMistake(request, listener, 404, "no such path", Level.FINE);
            case 405 -> clientMistake(request, listener, 405, "method not allowed", Level.FINE);
            default -> clientMistake(request, listener, status, "client error", Level.FINE);
        }
    }

    /**
     * A request that failed with {@code status} (any value; outside 400-599 it counts as 500) and maybe an exception: a
     * client gone away is debug, a 4xx without an exception is a client mistake, anything else a real failure of ours,
     * an error with its stack trace.
     */
    static void failed(HttpServerRequest request, String listener, int status, Throwable failure) {
        if (clientGone(request, failure)) {
            LOG.fine(listener + ": client closed the connection before the request was complete: " + describe(request));
            return;
        }
        int answered = status >= 400 && status < 600 ? status : 500;
        if (answered < 500 && failure == null) {
            clientMistake(request, listener, answered, "client error", Level.FINE);
            return;
        }
        LOG.log(
                Level.SEVERE,
                listener + ": " + answered + " while answering " + describe(request) + " (status " + status + ")",
                failure);
        answer(request.response(), answered, "internal error");
    }

    private static void clientMistake(
            HttpServerRequest request, String listener, int status, String reason, Level level) {
        if (LOG.isLoggable(level)) {
            LOG.log(level, listener + ": " + status + " " + reason + ": " + describe(request));
        }
        answer(request.response(), status, reason);
    }

    private static boolean clientGone(HttpServerRequest request, Throwable failure) {
        if (failure instanceof HttpClosedException || request.response().closed()) {
            return true;
        }
        String message = failure == null ? "" : String.valueOf(failure.getMessage());
        return message.contains("Connection was closed") || message.contains("Connection reset");
    }

    private static String describe(HttpServerRequest request) {
        String from =
                request.remoteAddress() == null ? "?" : request.remoteAddress().toString();
        return request.method() + " " + request.path() + " from " + from;
    }

    private static void answer(HttpServerResponse response, int status, String reason) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status)
                .putHeader("content-type", "application/json")
                .end(new JsonObject().put("error", reason).put("status", status).encode());
    }
}
