package io.acrcache.webhook.azure;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClosedException;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import javax.net.ssl.SSLException;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The HTTP client shared by the Entra and ARM calls, and what both need to turn a failure into an
 * {@link AzureCallException}.
 *
 * <p>Trust: no trust options are set, so Vert.x builds its TLS context with the JDK's default
 * {@code TrustManagerFactory}, which reads
 * {@code javax.net.ssl.trustStore}/{@code trustStorePassword}/{@code trustStoreType} (or the JDK's {@code cacerts}).
 * Host names are verified. Redirects are not followed: a bearer token goes only where it was sent.
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
        return WebClient.create(vertx, options(timeouts));
    }

    /** A client that trusts {@code trust} instead of the JDK's default (tests with a private CA); null: the JDK's. */
    public static WebClient client(Vertx vertx, Timeouts timeouts, io.vertx.core.net.TrustOptions trust) {
        WebClientOptions options = options(timeouts);
        if (trust != null) {
            options.setTrustOptions(trust);
        }
        return WebClient.create(vertx, options);
    }

    /** The client options without trust options, i.e. with the JDK's default trust. */
    static WebClientOptions options(Timeouts timeouts) {
        return new WebClientOptions()
                .setUserAgent(USER_AGENT)
                .setFollowRedirects(false)
                .setVerifyHost(true)
                .setConnectTimeout((int) timeouts.connect().toMillis())
                .setIdleTimeout((int) timeouts.response().toSeconds() + 1)
                .setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setKeepAlive(true);
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

    /** Classifies a transport failure (no HTTP answer at all). */
    static AzureCallException transportFailure(Throwable t, String what) {
        if (t instanceof AzureCallException e) {
            return e;
        }
        if (t instanceof TimeoutException || t.getClass().getSimpleName().contains("Timeout")) {
            return new AzureCallException(
                    AzureCallException.Cause.TIMEOUT, null, what + ": no answer in time (" + t.getMessage() + ")");
        }
        if (t instanceof ConnectException
                || t instanceof HttpClosedException
                || t instanceof SSLException
                || t instanceof IOException) {
            return new AzureCallException(
                    AzureCallException.Cause.CONNECTION,
                    null,
                    what + ": " + t.getClass().getSimpleName() + ": " + t.getMessage());
        }
        return new AzureCallException(
                AzureCallException.Cause.CONNECTION,
                null,
                what + ": " + t.getClass().getSimpleName() + ": " + t.getMessage());
    }

    /**
     * {@code Retry-After} in seconds: either delta-seconds or an HTTP date (RFC 9110 §10.2.3); -1 when absent or
     * unreadable.
     */
    static long retryAfterSeconds(String header, Instant now) {
        if (header == null || header.isBlank()) {
            return -1;
        }
        String value = header.trim();
        try {
            return Math.max(0, Long.parseLong(value));
        } catch (NumberFormatException notSeconds) {
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                return Math.max(0, Duration.between(now, at).toSeconds());
            } catch (DateTimeParseException notDate) {
                return -1;
            }
        }
    }

    /** Scheme, host and port of a URL, for "is this link still on the endpoint we trust with the token". */
    static String origin(URI uri) {
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
        String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(java.util.Locale.ROOT);
        return String.valueOf(uri.getScheme()).toLowerCase(java.util.Locale.ROOT) + "://" + host + ":" + port;
    }
}
