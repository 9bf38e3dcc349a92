package io.acrcache.webhook.guard.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.acrcache.webhook.outbound.OutboundException;
import io.acrcache.webhook.outbound.OutboundException.Kind;
import io.acrcache.webhook.outbound.RefreshingToken;
import io.acrcache.webhook.outbound.SingleFlight;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Registry tokens per {@code repository:<repo>:pull} scope, and reading a token endpoint's answer. Tokens live in a
 * bounded Caffeine cache until shortly before their {@code exp}; identical requests in flight are merged; failures are
 * not stored.
 */
final class ScopedTokens {
    /** A token as an {@code Authorization} value (or a refresh token), with when to stop using it. */
    record Held(String authorization, Instant useUntil, Instant expiresAt) {}

    record Scope(String loginServer, String repository) {
        String value() {
            return "repository:" + repository + ":pull";
        }
    }

    private final AuthOptions options;
    private final Clock clock;
    private final Cache<Scope, Held> cache;
    private final SingleFlight<Scope, Held> fetching;

    ScopedTokens(AuthOptions options, Clock clock) {
        this.options = options;
        this.clock = clock;
        this.fetching = new SingleFlight<>(options.maxEntries());
        this.cache = Caffeine.newBuilder()
                .maximumSize(options.maxEntries())
                .ticker(() -> {
                    Instant now = clock.instant();
                    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
                })
                .executor(Runnable::run)
                .expireAfter(new Expiry<Scope, Held>() {
                    @Override
                    public long expireAfterCreate(Scope key, Held value, long currentTime) {
                        return Math.max(
                                0,
                                Duration.between(clock.instant(), value.useUntil())
                                        .toNanos());
                    }

                    @Override
                    public long expireAfterUpdate(Scope key, Held value, long currentTime, long currentDuration) {
                        return expireAfterCreate(key, value, currentTime);
                    }

                    @Override
                    public long expireAfterRead(Scope key, Held value, long currentTime, long currentDuration) {
                        return currentDuration;
                    }
                })
                .build();
    }

    /** The cached {@code Authorization} value for the scope, or null. */
    String cached(Scope scope) {
        Held h = cache.getIfPresent(scope);
        return h == null ? null : h.authorization();
    }

    /** Fetches the scope's token (joining an identical fetch in flight) and caches it. */
    Future<String> fetch(Scope scope, Supplier<Future<Held>> fetch) {
        Supplier<Future<Held>> call = () -> fetch.get().map(h -> {
            cache.put(scope, h);
            return h;
        });
        Future<Held> f = fetching.run(scope, call);
        return (f != null ? f : call.get()).map(Held::authorization); // beyond the bound: unmerged
    }

    void invalidate(Scope scope) {
        cache.invalidate(scope);
    }

    <T> HttpRequest<T> bounded(HttpRequest<T> req) {
        return req.connectTimeout(options.connectTimeout().toMillis())
                .timeout(options.requestTimeout().toMillis());
    }

    /**
     * Reads a token answer. {@code field} null means distribution's anonymous answer ({@code token} or
     * {@code access_token}, optional {@code expires_in}); the result's authorization is then already a header value.
     *
     * @param opaque the lifetime assumed for a token that says nothing of its expiry
     */
    Future<Held> answer(AsyncResult<HttpResponse<Buffer>> ar, String what, String field, Duration opaque) {
        if (ar.failed()) {
            return Future.failedFuture(OutboundException.transport(ar.cause(), what));
        }
        HttpResponse<Buffer> resp = ar.result();
        int status = resp.statusCode();
        if (status != 200) {
            return Future.failedFuture(new OutboundException(Kind.ofStatus(status), what + " answered " + status));
        }
        JsonObject json = json(resp);
        String token = json == null
                ? null
                : field != null ? json.getString(field) : json.getString("token", json.getString("access_token"));
        if (token == null || token.isEmpty()) {
            return Future.failedFuture(new OutboundException(Kind.MALFORMED, what + ": no token in answer"));
        }
        Instant now = clock.instant();
        Instant exp = Jwt.expiry(token).orElseGet(() -> {
            Long expiresIn = json.getLong("expires_in");
            return now.plus(expiresIn != null && expiresIn > 0 ? Duration.ofSeconds(expiresIn) : opaque);
        });
        // stop using a token a tenth of its life (5 s to 5 min) before it expires: clocks and transit differ
        Instant useUntil = RefreshingToken.useUntil(now, exp, 10, Duration.ofSeconds(5), Duration.ofMinutes(5));
        String value = field == null ? "Bearer " + token : token;
        return Future.succeededFuture(new Held(value, useUntil, exp));
    }

    private static JsonObject json(HttpResponse<Buffer> resp) {
        try {
            return resp.bodyAsJsonObject();
        } catch (RuntimeException e) {
            return null;
        }
    }
}
