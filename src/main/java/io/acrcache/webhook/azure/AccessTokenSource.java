package io.acrcache.webhook.azure;

import io.acrcache.webhook.outbound.OutboundException;
import io.vertx.core.Future;

/**
 * Entra ID access tokens for a scope (for example {@code https://management.azure.com/.default} or
 * {@code https://containerregistry.azure.net/.default}). Implementations keep tokens cached and refresh them in the
 * background before they expire, so a caller on the event loop gets an already completed future in the steady state; a
 * failed future names why no token is available (no identity configured, the token endpoint refused, ...).
 */
public interface AccessTokenSource {
    Future<AccessToken> token(String scope);

    /**
     * A source that has no identity to sign in with: every request fails with cause {@code token} and {@code why} (for
     * example the workload identity variables that are missing), so whoever asks reports that cause.
     */
    static AccessTokenSource unavailable(String why) {
        OutboundException failure = new OutboundException(OutboundException.Kind.TOKEN, "NoWorkloadIdentity", why);
        return scope -> Future.failedFuture(failure);
    }
}
