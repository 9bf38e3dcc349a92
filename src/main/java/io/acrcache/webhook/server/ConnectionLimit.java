package io.acrcache.webhook.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpConnection;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * Caps open admission connections across all listener instances: a connection past the cap is closed as soon as it is
 * established, so a flood of idle connections cannot exhaust memory or file descriptors. kube-apiserver reuses a
 * handful of connections, so the cap is never near in normal use.
 */
final class ConnectionLimit implements Handler<HttpConnection> {
    private static final Logger LOG = Logger.getLogger(ConnectionLimit.class.getName());
    private final int max;
    private final AtomicInteger open = new AtomicInteger();
    private final Counter refused;

    ConnectionLimit(int max, MeterRegistry registry) {
        this.max = max;
        this.refused = Counter.builder("acw.admission.connections.refused")
                .description("Admission connections closed because server.maxConnections were already open")
                .register(registry);
        Gauge.builder("acw.admission.connections", open, AtomicInteger::get)
                .description("Admission connections open, across all listener instances")
                .register(registry);
    }

    @Override
    public void handle(HttpConnection connection) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            refused.increment();
            LOG.warning("closing a connection from " + connection.remoteAddress() + ": " + max + " already open");
            connection.close();
            return;
        }
        connection.closeHandler(v -> open.decrementAndGet());
    }
}
