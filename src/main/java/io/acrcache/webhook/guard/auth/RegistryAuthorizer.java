package io.acrcache.webhook.guard.auth;

import io.vertx.core.Future;

/**
 * Where the guard's registry requests get their {@code Authorization}: the caller asks per repository and reports a
 * refused token; how the token was obtained (ACR's token exchange, anonymous) stays in here. Failures are
 * {@link io.acrcache.webhook.outbound.OutboundException}s.
 */
public interface RegistryAuthorizer extends AutoCloseable {

    /** Gets long-lived credentials for the login server ready in the background; completes after the first attempt. */
    Future<Void> start(String loginServer);

    /** Whether a request on the admission path can get its token without a slow round trip first. */
    boolean ready(String loginServer);

    /** Why no usable credential is held for the login server, or null. */
    Throwable failure(String loginServer);

    /**
     * The {@code Authorization} value for a pull of {@code repository}, or null when none is needed (or none is known
     * to be needed yet: a 401 will tell).
     *
     * @param inline on the admission path: fails with kind {@code NOT_READY} rather than fetch long-lived credentials
     */
    Future<String> authorization(String loginServer, String repository, boolean inline);

    /** The registry refused our token for this repository: the next request gets a new one. */
    void rejected(String loginServer, String repository);

    @Override
    void close();
}
