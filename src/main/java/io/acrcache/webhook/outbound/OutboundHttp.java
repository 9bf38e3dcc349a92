package io.acrcache.webhook.outbound;

import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The one place that configures outbound HTTP clients. Every client: its own user agent (so the other side's logs tell
 * callers apart), host names verified, redirects not followed (a bearer token goes only where it was sent), keep-alive,
 * a connect timeout. Trust is whatever {@code base} says; with none set, Vert.x builds its TLS context from the JDK's
 * default {@code TrustManagerFactory} ({@code javax.net.ssl.trustStore*} or {@code cacerts}).
 */
public final class OutboundHttp {
    private OutboundHttp() {}

    /**
     * @param base trust, proxy and the like (copied, never modified)
     * @param idleTimeout closes a connection silent this long; null for none
     */
    public static WebClientOptions options(
            WebClientOptions base, String userAgent, Duration connectTimeout, Duration idleTimeout) {
        WebClientOptions o = new WebClientOptions(base)
                .setUserAgent(userAgent)
                .setFollowRedirects(false)
                .setVerifyHost(true)
                .setKeepAlive(true)
                .setConnectTimeout((int) connectTimeout.toMillis());
        if (idleTimeout != null) {
            o.setIdleTimeout((int) idleTimeout.toSeconds()).setIdleTimeoutUnit(TimeUnit.SECONDS);
        }
        return o;
    }

    public static WebClient client(Vertx vertx, WebClientOptions options) {
        return WebClient.create(vertx, options);
    }
}
