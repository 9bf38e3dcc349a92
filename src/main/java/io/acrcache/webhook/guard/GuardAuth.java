package io.acrcache.webhook.guard;

import io.acrcache.webhook.azure.AccessTokenSource;
import io.acrcache.webhook.guard.auth.AcrTokenExchange;
import io.acrcache.webhook.guard.auth.AnonymousAuthorizer;
import io.acrcache.webhook.guard.auth.AuthOptions;
import io.acrcache.webhook.guard.auth.Challenges;
import io.acrcache.webhook.guard.auth.RegistryAuthorizer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;

import java.time.Clock;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The guard's side of registry authentication: the authorizer {@code guard.auth} chose (ACR's token exchange or
 * anonymous), the {@code /v2/} ping that teaches it the registry's challenge, and the warm-up of each login server.
 */
final class GuardAuth implements AutoCloseable {
    final RegistryAuthorizer authorizer;
    final RegistryPing ping;
    final Challenges challenges;
    private final ConcurrentMap<String, Future<Void>> started = new ConcurrentHashMap<>();

    GuardAuth(Vertx vertx, WebClient client, GuardSettings settings, AccessTokenSource entra, Clock clock) {
        this.challenges = new Challenges();
        this.ping = new RegistryPing(client, challenges, settings, clock);
        this.authorizer = settings.auth() == GuardSettings.Auth.WORKLOAD_IDENTITY
                ? new AcrTokenExchange(vertx, client, options(settings), entra, clock, challenges)
                : new AnonymousAuthorizer(client, options(settings), clock, challenges);
    }

    /** The token gauges, registered by each guard that uses this authentication (it may outlive its first guard). */
    void gauges(GuardMetrics metrics) {
        if (authorizer instanceof AcrTokenExchange exchange) {
            metrics.tokenExpiry("acr_refresh", exchange::refreshSecondsToExpiry);
            metrics.tokenExpiry("entra_acr", exchange::entraSecondsToExpiry);
        } else {
            metrics.tokenExpiry("acr_refresh", () -> Double.NaN);
            metrics.tokenExpiry("entra_acr", () -> Double.NaN);
        }
    }

    static AuthOptions options(GuardSettings settings) {
        return new AuthOptions(
                settings.scheme(),
                settings.tenantId(),
                GuardSettings.ACR_SCOPE,
                settings.connectTimeout(),
                settings.requestTimeout(),
                settings.maxCacheEntries());
    }

    /**
     * Learns how the login server authenticates ({@code GET /v2/}), then readies the authorizer. Idempotent; completes
     * when the first attempt ends and never fails (failures are retried in the background, see {@link #failure}).
     */
    Future<Void> start(String loginServer) {
        Future<Void> f = started.get(loginServer);
        return f != null
                ? f
                : started.computeIfAbsent(loginServer, l -> ping.ping(l).transform(ignored -> authorizer.start(l)));
    }

    /** The token flow's own failure as a verdict, while no usable credential is held; null otherwise. */
    ProbeResult failure(String loginServer) {
        Throwable t = authorizer.failure(loginServer);
        return t == null ? null : ProbeResult.failure(t);
    }

    @Override
    public void close() {
        authorizer.close();
    }
}
