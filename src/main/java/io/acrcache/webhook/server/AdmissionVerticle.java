package io.acrcache.webhook.server;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;

import java.util.List;
import java.util.function.Function;

/**
 * One admission listener on its own event loop. Several instances share the port, one per core, so TLS and JSON work
 * spread over all cores.
 */
final class AdmissionVerticle extends VerticleBase {
    private final HttpServerOptions options;
    private final Function<Vertx, Router> routes;
    private final ConnectionLimit connectionLimit;
    private final List<HttpServer> servers;

    AdmissionVerticle(
            HttpServerOptions options,
            Function<Vertx, Router> routes,
            ConnectionLimit connectionLimit,
            List<HttpServer> servers) {
        this.options = options;
        this.routes = routes;
        this.connectionLimit = connectionLimit;
        this.servers = servers;
    }

    @Override
    public Future<?> start() {
        return vertx.createHttpServer(options)
                .connectionHandler(connectionLimit)
                .requestHandler(routes.apply(vertx))
                .listen()
                .onSuccess(servers::add);
    }
}
