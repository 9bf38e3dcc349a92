package io.acrcache.webhook.guard;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import io.acrcache.webhook.azure.AccessToken;
import io.acrcache.webhook.azure.AccessTokenSource;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Bearer tokens for the guard's HEADs, per login server.
 *
 * <ul>
 *   <li>Workload identity: Entra token (ACR audience, from {@link AccessTokenSource}) → {@code POST <realm
 *       origin>/oauth2/exchange} → ACR refresh token, kept warm in the background (refreshed at 80 % of its lifetime as
 *       read from its {@code exp}) → {@code POST <realm>} ({@code grant_type=refresh_token}) → access token per
 *       {@code repository:<repo>:pull} scope. Entra tokens are never fetched on the admission path; a per-repo access
 *       token is fetched inline only when a refresh token is already in memory.
 *   <li>Anonymous: {@code GET <realm>?service=...&scope=...} with no credentials (distribution's token spec), or no
 *       token at all when the registry answers {@code /v2/} with 200.
 * </ul>
 *
 * The realm and service come from the {@code Www-Authenticate: Bearer} challenge of {@code /v2/} or of a HEAD; before
 * one is seen, workload identity assumes ACR's ({@code <scheme>://<login>/oauth2/token}, service = login server).
 * Access tokens live in a bounded Caffeine cache until shortly before their {@code exp}; identical requests in flight
 * are merged (one loader per scope). Token failures are classified like probe answers.
 */
public final class AcrTokens {
    private static final Logger LOG = Logger.getLogger(AcrTokens.class.getName());
    private static final Duration OPAQUE_REFRESH_LIFETIME = Duration.ofMinutes(10);
    private static final Duration OPAQUE_ACCESS_LIFETIME = Duration.ofSeconds(60);
    private static final Duration MAX_RETRY = Duration.ofSeconds(60);

    /** A token request failed; {@link #outcome} classifies it like a probe answer. */
    static final class TokenException extends RuntimeException {
        final ProbeResult.Outcome outcome;

        TokenException(ProbeResult.Outcome outcome, String message) {
            super(message, null, false, false);
            this.outcome = outcome;
        }
    }

    record Scope(String loginServer, String repository) {}

    private record Held(String authorization, Instant useUntil, Instant expiresAt) {}

    private final class Registry {
        final String login;
        volatile BearerChallenge challenge;
        volatile boolean noAuth; // /v2/ answered 200 without a challenge
        volatile Held refresh;
        volatile ProbeResult failure; // last failure of the refresh-token flow, cleared on success
        Future<Held> refreshInFlight; // guarded by this
        Future<Void> started; // guarded by this
        long timer = -1; // guarded by this
        Duration retry = Duration.ofSeconds(1); // guarded by this

        Registry(String login) {
            this.login = login;
        }

        BearerChallenge challengeOrDefault() {
            BearerChallenge c = challenge;
            if (c == null && settings.auth() == GuardSettings.Auth.WORKLOAD_IDENTITY) {
                return new BearerChallenge(
                        settings.scheme() + "://" + login + "/oauth2/token", login, null, null, null);
            }
            return c;
        }

        boolean refreshValid() {
            Held r = refresh;
            return r != null && clock.instant().isBefore(r.useUntil());
        }
    }

    private final Vertx vertx;
    private final WebClient client;
    private final GuardSettings settings;
    private final AccessTokenSource entra;
    private final Clock clock;
    private final ConcurrentMap<String, Registry> registries = new ConcurrentHashMap<>();
    private final Cache<Scope, Held> access;
    // identical token requests in flight share one (kept apart from the cache so failures are simply not stored)
    private final ConcurrentMap<Scope, Future<Held>> fetching = new ConcurrentHashMap<>();
    private volatile AccessToken lastEntra;
    private volatile boolean closed;

    /** @param entra the Entra token source; may be null only with {@code auth: anonymous} */
    public AcrTokens(
            Vertx vertx,
            WebClient client,
            GuardSettings settings,
            AccessTokenSource entra,
            Clock clock,
            GuardMetrics metrics) {
        if (settings.auth() == GuardSettings.Auth.WORKLOAD_IDENTITY && entra == null) {
            throw new IllegalArgumentException("guard.auth workload-identity needs an Entra token source");
        }
        this.vertx = vertx;
        this.client = client;
        this.settings = settings;
        this.entra = entra;
        this.clock = clock;
        this.access = Caffeine.newBuilder()
                .maximumSize(settings.maxCacheEntries())
                .ticker(VerdictCache.ticker(clock))
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
        if (metrics != null) {
            metrics.tokenExpiry("acr_refresh", this::refreshSecondsToExpiry);
            metrics.tokenExpiry("entra_acr", () -> secondsTo(lastEntra == null ? null : lastEntra.expiresAt()));
        }
    }

    /**
     * Learns how the login server authenticates ({@code GET /v2/}) and, with workload identity, gets the refresh token
     * and keeps it warm. Idempotent; the future completes when the first attempt ends (it never fails: failures are
     * retried in the background and visible through {@link #failure}).
     */
    public Future<Void> start(String loginServer) {
        Registry r = registry(loginServer);
        synchronized (r) {
            if (r.started == null) {
                r.started = ping(loginServer)
                        .transform(ignored -> settings.auth() == GuardSettings.Auth.WORKLOAD_IDENTITY
                                ? renewRefresh(r).<Void>mapEmpty().recover(e -> Future.succeededFuture())
                                : Future.<Void>succeededFuture());
            }
            return r.started;
        }
    }

    /** Whether an inline probe can get its token without the Entra round trip. */
    boolean readyForInline(String loginServer) {
        if (settings.auth() == GuardSettings.Auth.ANONYMOUS) {
            return true;
        }
        Registry r = registry(loginServer);
        return r.noAuth || r.refreshValid();
    }

    /** The token flow's own failure (e.g. Entra or the exchange refusing), while no usable refresh token is held. */
    ProbeResult failure(String loginServer) {
        Registry r = registry(loginServer);
        return r.refreshValid() || r.noAuth ? null : r.failure;
    }

    /**
     * The {@code Authorization} header value for a pull of {@code target.repository()}, or null when the registry needs
     * none (or its challenge is not known yet, anonymous mode: the HEAD will tell).
     *
     * @param inline on the admission path: fails with {@link ProbeResult.Outcome#NO_TOKEN} instead of fetching a
     *     refresh token
     */
    Future<String> authorization(ProbeTarget target, boolean inline) {
        Registry r = registry(target.loginServer());
        if (r.noAuth) {
            return Future.succeededFuture(null);
        }
        BearerChallenge challenge = r.challengeOrDefault();
        if (challenge == null) {
            return Future.succeededFuture(null);
        }
        Scope scope = new Scope(target.loginServer(), target.repository());
        Held cached = access.getIfPresent(scope);
        if (cached != null) {
            return Future.succeededFuture(cached.authorization());
        }
        if (settings.auth() == GuardSettings.Auth.WORKLOAD_IDENTITY && inline && !r.refreshValid()) {
            return Future.failedFuture(new TokenException(ProbeResult.Outcome.NO_TOKEN, "no ACR refresh token yet"));
        }
        Future<Held> running = fetching.get(scope);
        if (running == null) {
            Promise<Held> p = Promise.promise();
            running = fetching.putIfAbsent(scope, p.future());
            if (running == null) {
                running = p.future();
                fetchAccess(r, challenge, scope).onComplete(ar -> {
                    if (ar.succeeded()) {
                        access.put(scope, ar.result());
                    }
                    fetching.remove(scope, p.future());
                    p.handle(ar);
                });
            }
        }
        return running.map(Held::authorization);
    }

    /** A challenge seen on a 401: remember where tokens come from. */
    void learn(String loginServer, BearerChallenge challenge) {
        Registry r = registry(loginServer);
        r.noAuth = false;
        r.challenge = challenge;
    }

    /** Our token was refused for this repository: the next probe fetches a new one (no inline retry, no loop). */
    void invalidate(ProbeTarget target) {
        access.invalidate(new Scope(target.loginServer(), target.repository()));
    }

    /**
     * {@code GET /v2/} without credentials: 200 (open) or 401 with a Bearer challenge (learned) mean the registry is
     * up.
     */
    Future<ProbeResult> ping(String loginServer) {
        Registry r = registry(loginServer);
        return timeouts(client.getAbs(settings.scheme() + "://" + loginServer + "/v2/"))
                .send()
                .transform(ar -> {
                    if (ar.failed()) {
                        return Future.succeededFuture(ManifestProbe.unavailable(ar.cause()));
                    }
                    HttpResponse<Buffer> resp = ar.result();
                    int status = resp.statusCode();
                    if (status == 200) {
                        if (r.challenge == null) {
                            r.noAuth = true;
                        }
                        return Future.succeededFuture(ProbeResult.of(ProbeResult.Outcome.SERVABLE, "/v2/ 200"));
                    }
                    if (status == 401) {
                        BearerChallenge.parse(resp.getHeader("Www-Authenticate"))
                                .ifPresent(c -> learn(loginServer, c));
                        return Future.succeededFuture(ProbeResult.of(ProbeResult.Outcome.SERVABLE, "/v2/ 401"));
                    }
                    if (status == 429) {
                        return Future.succeededFuture(new ProbeResult(
                                ProbeResult.Outcome.REGISTRY_THROTTLED,
                                null,
                                ProbeResult.Origin.ABSENT,
                                ManifestProbe.retryAfter(resp.getHeader("Retry-After"), clock),
                                "/v2/ 429"));
                    }
                    return Future.succeededFuture(
                            ProbeResult.of(ProbeResult.Outcome.UNAVAILABLE, "/v2/ answered " + status));
                });
    }

    public void close() {
        closed = true;
        for (Registry r : registries.values()) {
            synchronized (r) {
                if (r.timer >= 0) {
                    vertx.cancelTimer(r.timer);
                }
            }
        }
    }

    private Registry registry(String loginServer) {
        Registry r = registries.get(loginServer);
        return r != null ? r : registries.computeIfAbsent(loginServer, Registry::new);
    }

    /** One refresh-token flow at a time per registry; schedules the next one. */
    private Future<Held> renewRefresh(Registry r) {
        synchronized (r) {
            if (r.refreshInFlight != null) {
                return r.refreshInFlight;
            }
            Promise<Held> p = Promise.promise();
            r.refreshInFlight = p.future();
            exchange(r).onComplete(ar -> {
                synchronized (r) {
                    r.refreshInFlight = null;
                    Duration next;
                    if (ar.succeeded()) {
                        r.refresh = ar.result();
                        r.failure = null;
                        r.retry = Duration.ofSeconds(1);
                        Duration life =
                                Duration.between(clock.instant(), ar.result().expiresAt());
                        next = life.multipliedBy(8).dividedBy(10);
                    } else {
                        ProbeResult.Outcome o =
                                ar.cause() instanceof TokenException te ? te.outcome : ProbeResult.Outcome.UNAVAILABLE;
                        r.failure = ProbeResult.of(o, ar.cause().getMessage());
                        LOG.log(Level.WARNING, "guard: no ACR refresh token for {0}: {1}", new Object[] {
                            r.login, ar.cause().getMessage()
                        });
                        next = r.retry;
                        Duration doubled = r.retry.multipliedBy(2);
                        r.retry = doubled.compareTo(MAX_RETRY) > 0 ? MAX_RETRY : doubled;
                    }
                    schedule(r, next);
                }
                p.handle(ar);
            });
            return p.future();
        }
    }

    private void schedule(Registry r, Duration in) {
        if (closed) {
            return;
        }
        if (r.timer >= 0) {
            vertx.cancelTimer(r.timer);
        }
        long ms = Math.max(1000, in.toMillis());
        r.timer = vertx.setTimer(ms, id -> {
            synchronized (r) {
                r.timer = -1;
            }
            if (!closed) {
                renewRefresh(r);
            }
        });
    }

    private Future<Held> exchange(Registry r) {
        BearerChallenge challenge = r.challengeOrDefault();
        Future<AccessToken> entraToken;
        try {
            entraToken = entra.token(GuardSettings.ACR_SCOPE);
        } catch (RuntimeException e) {
            entraToken = Future.failedFuture(e);
        }
        return entraToken
                .recover(e -> Future.failedFuture(
                        new TokenException(ProbeResult.Outcome.AUTH, "Entra token: " + e.getMessage())))
                .compose(aad -> {
                    lastEntra = aad;
                    MultiMap form = MultiMap.caseInsensitiveMultiMap()
                            .add("grant_type", "access_token")
                            .add("service", challenge.service())
                            .add("access_token", aad.token());
                    String tenant = !settings.tenantId().isEmpty()
                            ? settings.tenantId()
                            : Jwt.claim(aad.token(), "tid").orElse("");
                    if (!tenant.isEmpty()) {
                        form.add("tenant", tenant);
                    }
                    return timeouts(client.postAbs(origin(challenge.realm()) + "/oauth2/exchange"))
                            .sendForm(form)
                            .transform(ar -> answer(ar, "exchange", "refresh_token", OPAQUE_REFRESH_LIFETIME));
                });
    }

    private Future<Held> fetchAccess(Registry r, BearerChallenge challenge, Scope scope) {
        String scopeValue = "repository:" + scope.repository() + ":pull";
        if (settings.auth() == GuardSettings.Auth.ANONYMOUS) {
            HttpRequest<Buffer> req = timeouts(client.getAbs(challenge.realm())).addQueryParam("scope", scopeValue);
            if (!challenge.service().isEmpty()) {
                req.addQueryParam("service", challenge.service());
            }
            return req.send().transform(ar -> answer(ar, "anonymous token", null, OPAQUE_ACCESS_LIFETIME));
        }
        Future<Held> refresh = r.refreshValid() ? Future.succeededFuture(r.refresh) : renewRefresh(r);
        return refresh.compose(rt -> {
            MultiMap form = MultiMap.caseInsensitiveMultiMap()
                    .add("grant_type", "refresh_token")
                    .add("service", challenge.service())
                    .add("scope", scopeValue)
                    .add("refresh_token", rt.authorization());
            return timeouts(client.postAbs(challenge.realm()))
                    .sendForm(form)
                    .transform(ar -> answer(ar, "token", "access_token", OPAQUE_ACCESS_LIFETIME))
                    .map(h -> new Held("Bearer " + h.authorization(), h.useUntil(), h.expiresAt()));
        });
    }

    /**
     * Reads a token answer. {@code field} null means distribution's anonymous answer ({@code token} or
     * {@code access_token}, optional {@code expires_in}); the result's authorization is then already a header value.
     */
    private Future<Held> answer(
            io.vertx.core.AsyncResult<HttpResponse<Buffer>> ar, String what, String field, Duration opaque) {
        if (ar.failed()) {
            return Future.failedFuture(new TokenException(
                    ProbeResult.Outcome.UNAVAILABLE, what + ": " + ManifestProbe.describe(ar.cause())));
        }
        HttpResponse<Buffer> resp = ar.result();
        int status = resp.statusCode();
        if (status != 200) {
            ProbeResult.Outcome o = status == 429
                    ? ProbeResult.Outcome.REGISTRY_THROTTLED
                    : status >= 500 ? ProbeResult.Outcome.UNAVAILABLE : ProbeResult.Outcome.AUTH;
            return Future.failedFuture(new TokenException(o, what + " answered " + status));
        }
        JsonObject json = json(resp);
        String token = json == null
                ? null
                : field != null ? json.getString(field) : json.getString("token", json.getString("access_token"));
        if (token == null || token.isEmpty()) {
            return Future.failedFuture(new TokenException(ProbeResult.Outcome.AUTH, what + ": no token in answer"));
        }
        Instant now = clock.instant();
        Instant exp = Jwt.expiry(token).orElseGet(() -> {
            Long expiresIn = json.getLong("expires_in");
            return now.plus(expiresIn != null && expiresIn > 0 ? Duration.ofSeconds(expiresIn) : opaque);
        });
        // stop using a token a tenth of its life (5 s to 5 min, at most half its life) before it expires: clocks
        // and transit differ
        Duration life = Duration.between(now, exp);
        Duration margin = life.dividedBy(10);
        margin = margin.compareTo(Duration.ofSeconds(5)) < 0
                ? Duration.ofSeconds(5)
                : margin.compareTo(Duration.ofMinutes(5)) > 0 ? Duration.ofMinutes(5) : margin;
        if (margin.compareTo(life.dividedBy(2)) > 0) {
            margin = life.dividedBy(2);
        }
        String value = field == null ? "Bearer " + token : token;
        return Future.succeededFuture(new Held(value, exp.minus(margin), exp));
    }

    private static JsonObject json(HttpResponse<Buffer> resp) {
        try {
            return resp.bodyAsJsonObject();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private <T> HttpRequest<T> timeouts(HttpRequest<T> req) {
        return req.connectTimeout(settings.connectTimeout().toMillis())
                .timeout(settings.requestTimeout().toMillis());
    }

    private static String origin(String realm) {
        URI u = URI.create(realm);
        return u.getScheme() + "://" + u.getRawAuthority();
    }

    private Number refreshSecondsToExpiry() {
        Instant min = null;
        for (Registry r : registries.values()) {
            Held h = r.refresh;
            if (h != null && (min == null || h.expiresAt().isBefore(min))) {
                min = h.expiresAt();
            }
        }
        return secondsTo(min);
    }

    private Number secondsTo(Instant t) {
        return t == null ? Double.NaN : Duration.between(clock.instant(), t).toMillis() / 1000.0;
    }
}
