package io.acrcache.webhook.azure;

import io.acrcache.webhook.outbound.OutboundHttp;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP client shared by the Entra and ARM calls (built by {@link OutboundHttp}, with the JDK's default trust unless
 * told otherwise) and the bounds both put on every request.
 */
public final class AzureHttp {
    /** Connect and overall response bounds of every Entra and ARM request. */
    public record Timeouts(Duration connect, Duration response) {
        public static final Timeouts DEFAULT = new Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(20));
    }

    static final String USER_AGENT = "acr-cache-webhook";

    private AzureHttp() {}

    /** A client for absolute https URLs; TLS is chosen per request from the URL's scheme. */
    public static WebClient client(Vertx vertx, Timeouts timeouts) {
        return OutboundHttp.client(vertx, options(timeouts));
    }

    /** A client that trusts {@code trust} instead of the JDK's default (tests with a private CA); null: the JDK's. */
    public static WebClient client(Vertx vertx, Timeouts timeouts, io.vertx.core.net.TrustOptions trust) {
        WebClientOptions options = options(timeouts);
        if (trust != null) {
            options.setTrustOptions(trust);
        }
        return OutboundHttp.client(vertx, options);
    }

    /** The client options without trust options, i.e. with the JDK's default trust. */
    static WebClientOptions options(Timeouts timeouts) {
        return OutboundHttp.options(
                new WebClientOptions(),
                USER_AGENT,
                timeouts.connect(),
                Duration.ofSeconds(timeouts.response().toSeconds() + 1));
    }

    /** Bounds one request: connect timeout, idle timeout and an overall deadline on the whole answer. */
    static <T> HttpRequest<T> bounded(HttpRequest<T> request, Timeouts timeouts) {
        return request.connectTimeout(timeouts.connect().toMillis())
                .idleTimeout(timeouts.response().toMillis())
                .followRedirects(false);
    }

    /** The overall deadline on a response future (a slow-dripping server cannot hold a call forever). */
    static <T> Future<T> deadline(Future<T> future, Timeouts timeouts) {
        return future.timeout(timeouts.response().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Scheme, host and port of a URL, for "is this link still on the endpoint we trust with the token". */
    static String origin(URI uri) {
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(java.util.Locale.ROOT);
        return String.valueOf(uri.getScheme()).toLowerCase(java.util.Locale.ROOT) + "://" + host + ":" + port;
    }
}
