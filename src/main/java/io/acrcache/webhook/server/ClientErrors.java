package io.acrcache.webhook.server;

import io.vertx.core.http.HttpClosedException;
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
        for (int status = 100; status < 600; status++) {
            router.errorHandler(status, ctx -> uncaught(ctx, listener));
        }
        router.errorHandler(
                413,
                ctx -> clientMistake(
                        ctx, listener, 413, "request body over the limit (server.maxBodyBytes)", Level.WARNING));
        router.errorHandler(
                408,
                ctx -> clientMistake(
                        ctx,
                        listener,
                        408,
                        "request not complete in time (server.requestTimeoutSeconds)",
                        Level.WARNING));
        router.errorHandler(400, ctx -> clientMistake(ctx, listener, 400, "bad request", Level.FINE));
        router.errorHandler(404, ctx -> clientMistake(ctx, listener, 404, "no such path", Level.FINE));
        router.errorHandler(405, ctx -> clientMistake(ctx, listener, 405, "method not allowed", Level.FINE));
        // a failure with an exception and no status comes here as 500
        router.errorHandler(500, ctx -> uncaught(ctx, listener));
    }

    private static void clientMistake(RoutingContext ctx, String listener, int status, String reason, Level level) {
        if (LOG.isLoggable(level)) {
            LOG.log(level, listener + ": " + status + " " + reason + ": " + describe(ctx));
        }
        answer(ctx, status, reason);
    }

    /** Anything else: a client gone away is debug; a real failure of ours is an error, with its stack trace. */
    private static void uncaught(RoutingContext ctx, String listener) {
        Throwable failure = ctx.failure();
        if (clientGone(ctx, failure)) {
            LOG.fine(listener + ": client closed the connection before the request was complete: " + describe(ctx));
            return;
        }
        int status = ctx.statusCode() >= 400 && ctx.statusCode() < 600 ? ctx.statusCode() : 500;
        if (status < 500 && failure == null) {
            clientMistake(ctx, listener, status, "client error", Level.FINE);
            return;
        }
        LOG.log(
                Level.SEVERE,
                listener + ": " + status + " while answering " + describe(ctx) + " (status " + ctx.statusCode() + ")",
                failure);
        answer(ctx, status, "internal error");
    }

    private static boolean clientGone(RoutingContext ctx, Throwable failure) {
        if (failure instanceof HttpClosedException || ctx.response().closed()) {
            return true;
        }
        String message = failure == null ? "" : String.valueOf(failure.getMessage());
        return message.contains("Connection was closed") || message.contains("Connection reset");
    }

    private static String describe(RoutingContext ctx) {
        var request = ctx.request();
        String from =
                request.remoteAddress() == null ? "?" : request.remoteAddress().toString();
        return request.method() + " " + request.path() + " from " + from;
    }

    private static void answer(RoutingContext ctx, int status, String reason) {
        HttpServerResponse response = ctx.response();
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status)
                .putHeader("content-type", "application/json")
                .end(new JsonObject().put("error", reason).put("status", status).encode());
    }
}
