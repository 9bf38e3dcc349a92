package io.acrcache.webhook.guard.auth;

import java.time.Duration;

/**
 * What the authorizers need from the guard's settings.
 *
 * @param scheme {@code https} (tests: {@code http})
 * @param tenantId sent with the exchange; empty: the Entra token's own {@code tid}
 * @param entraScope the Entra scope of ACR tokens
 * @param maxEntries bound of the access-token cache (and of token requests merged in flight)
 */
public record AuthOptions(
        String scheme,
        String tenantId,
        String entraScope,
        Duration connectTimeout,
        Duration requestTimeout,
        int maxEntries) {}
