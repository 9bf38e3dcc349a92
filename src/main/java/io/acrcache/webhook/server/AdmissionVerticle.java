package io.acrcache.webhook.server;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

import java.util.List;
import java.util.function.Function;

/**
 * One admission listener on its own event loop. Several instances share the port, one per core, so TLS and JSON work
 * spread over all cores.
 */
final class AdmissionVerticle extends VerticleBase {
    private final HttpServerOptions options;
    private final Function<Vertx, Handler<HttpServerRequest>> requests;
    private final ConnectionLimit connectionLimit;
    private final List<HttpServer> servers;

    AdmissionVerticle(
            HttpServerOptions options,
            Function<Vertx, Handler<HttpServerRequest>> requests,
            ConnectionLimit connectionLimit,
            List<HttpServer> servers) {
        this.options = options;
        this.requests = requests;
        this.connectionLimit = connectionLimit;
        this.servers = servers;
    }

    @Override
    public Future<?> start() {
        return vertx.createHttpServer(options)
                .connectionHandler(connectionLimit)
                .requestHandler(requests.apply(vertx))
                .listen()
                .onSuccess(servers::add);
    }
}
