package io.acrcache.webhook.server;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

/**
 * The check in front of the ops routes that show other namespaces' data. {@code /healthz} and {@code /readyz} are never
 * behind it (the kubelet probes them without a token).
 *
 * @param check lets a request through ({@code ctx.next()}) or answers it (401, 403, 503)
 * @param metrics whether {@code /metrics} is behind it too ({@code ops.metricsAuth})
 */
public record OpsAccess(Handler<RoutingContext> check, boolean metrics) {}
