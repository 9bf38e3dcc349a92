package io.acrcache.webhook.opsauth;

import io.acrcache.webhook.config.OpsAuthMode;
import io.acrcache.webhook.server.OpsAccess;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.vertx5.Vertx5HttpClientFactory;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;
import java.util.logging.Logger;

/**
 * The ops listener's access check as configured: {@link #access()} is null when anyone may read ({@code none}). Outside
 * a Pod, {@code kubernetes} finds the API server through the kubeconfig, as the pull-failure report does.
 */
public final class OpsAuth implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OpsAuth.class.getName());

    private final KubernetesClient client;
    private final Handler<RoutingContext> handler;
    private final boolean metricsToo;

    private OpsAuth(KubernetesClient client, Handler<RoutingContext> handler, boolean metricsToo) {
        this.client = client;
        this.handler = handler;
        this.metricsToo = metricsToo;
    }

    /**
     * @param configured {@code ops.auth}
     * @param metricsToo {@code ops.metricsAuth}: {@code /metrics} behind the check too
     */
    public static OpsAuth start(Vertx vertx, OpsAuthMode configured, boolean metricsToo, Map<String, String> env) {
        OpsAuthMode mode = configured.resolve(env);
        String why = configured == OpsAuthMode.AUTO
                ? (mode == OpsAuthMode.KUBERNETES ? " (auto: running in a Pod)" : " (auto: not in a Pod)")
                : "";
        if (mode == OpsAuthMode.NONE) {
            LOG.info("ops auth: none" + why + "; /pull-failures and /rules answer anyone who reaches the ops port");
            return new OpsAuth(null, null, false);
        }
        KubernetesClient client = new KubernetesClientBuilder()
                .withHttpClientFactory(new Vertx5HttpClientFactory(vertx))
                .build();
        LOG.info("ops auth: kubernetes" + why + "; /pull-failures, /rules and /doctor"
                + (metricsToo ? " and /metrics" : "") + " need a bearer token allowed to get them");
        return new OpsAuth(client, new OpsAuthHandler(new KubernetesAccessReviewer(vertx, client)), metricsToo);
    }

    /** The ops listener's access rule; null when anyone may read. */
    public OpsAccess access() {
        return handler == null ? null : new OpsAccess(handler, metricsToo);
    }

    @Override
    public void close() {
        if (client != null) {
            client.close();
        }
    }
}
