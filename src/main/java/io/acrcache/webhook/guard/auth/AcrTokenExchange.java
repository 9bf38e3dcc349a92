package io.acrcache.webhook.guard.auth;

import io.acrcache.webhook.azure.AccessToken;
import io.acrcache.webhook.azure.AccessTokenSource;
import io.acrcache.webhook.outbound.Backoff;
import io.acrcache.webhook.outbound.OutboundException;
import io.acrcache.webhook.outbound.OutboundException.Kind;
import io.acrcache.webhook.outbound.RefreshingToken;
import io.acrcache.webhook.outbound.Scheduler;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
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
 * ACR's token exchange for workload identity: Entra token (ACR audience, from {@link AccessTokenSource}) → {@code POST
 * <realm origin>/oauth2/exchange} → ACR refresh token, kept warm in the background (refreshed at 80 % of its lifetime
 * as read from its {@code exp}) → {@code POST <realm>} ({@code grant_type=refresh_token}) → access token per
 * {@code repository:<repo>:pull} scope. Entra tokens are never fetched on the admission path; a per-repo access token
 * is fetched inline only when a refresh token is already in memory.
 *
 * <p>Before a challenge is seen, the realm and service are assumed to be ACR's
 * ({@code <scheme>://<login>/oauth2/token}, service = login server).
 */
public final class AcrTokenExchange implements RegistryAuthorizer {
    private static final Logger LOG = Logger.getLogger(AcrTokenExchange.class.getName());
    private static final Duration OPAQUE_REFRESH_LIFETIME = Duration.ofMinutes(10);
    private static final Duration OPAQUE_ACCESS_LIFETIME = Duration.ofSeconds(60);
    // any caller without a usable refresh token may start an exchange at once (none waits for the back-off)
    private static final RefreshingToken.Policy REFRESH = new RefreshingToken.Policy(
            80,
            Duration.ZERO,
            Duration.ofSeconds(1),
            new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60)),
            false);

    private final Vertx vertx;
    private final WebClient client;
    private final AuthOptions options;
    private final AccessTokenSource entra;
    private final Clock clock;
    private final Challenges challenges;
    private final ScopedTokens tokens;
    private final ConcurrentMap<String, RefreshingToken<ScopedTokens.Held>> refresh = new ConcurrentHashMap<>();
    private volatile AccessToken lastEntra;

    public AcrTokenExchange(
            Vertx vertx,
            WebClient client,
            AuthOptions options,
            AccessTokenSource entra,
            Clock clock,
            Challenges challenges) {
        if (entra == null) {
            throw new IllegalArgumentException("guard.auth workload-identity needs an Entra token source");
        }
        this.vertx = vertx;
        this.client = client;
        this.options = options;
        this.entra = entra;
        this.clock = clock;
        this.challenges = challenges;
        this.tokens = new ScopedTokens(options, clock);
    }

    /** Gets the refresh token and keeps it warm; never fails (failures are retried and seen through failure()). */
    @Override
    public Future<Void> start(String loginServer) {
        return refreshToken(loginServer).get().<Void>mapEmpty().recover(e -> Future.succeededFuture());
    }

    @Override
    public boolean ready(String loginServer) {
        return challenges.open(loginServer) || refreshToken(loginServer).usable();
    }

    /** The exchange's own failure (e.g. Entra or the exchange refusing), while no usable refresh token is held. */
    @Override
    public Throwable failure(String loginServer) {
        RefreshingToken<ScopedTokens.Held> r = refreshToken(loginServer);
        return r.usable() || challenges.open(loginServer) ? null : r.lastFailure();
    }

    @Override
    public Future<String> authorization(String loginServer, String repository, boolean inline) {
        if (challenges.open(loginServer)) {
            return Future.succeededFuture(null);
        }
        BearerChallenge challenge = challenge(loginServer);
        ScopedTokens.Scope scope = new ScopedTokens.Scope(loginServer, repository);
        String cached = tokens.cached(scope);
        if (cached != null) {
            return Future.succeededFuture(cached);
        }
        RefreshingToken<ScopedTokens.Held> r = refreshToken(loginServer);
        if (inline && !r.usable()) {
            return Future.failedFuture(new OutboundException(Kind.NOT_READY, "no ACR refresh token yet"));
        }
        return tokens.fetch(
                scope,
                () -> r.get().compose(rt -> {
                    MultiMap form = MultiMap.caseInsensitiveMultiMap()
                            .add("grant_type", "refresh_token")
                            .add("service", challenge.service())
                            .add("scope", scope.value())
                            .add("refresh_token", rt.authorization());
                    return tokens.bounded(client.postAbs(challenge.realm()))
                            .sendForm(form)
                            .transform(ar -> tokens.answer(ar, "token", "access_token", OPAQUE_ACCESS_LIFETIME))
                            .map(h ->
                                    new ScopedTokens.Held("Bearer " + h.authorization(), h.useUntil(), h.expiresAt()));
                }));
    }

    @Override
    public void rejected(String loginServer, String repository) {
        tokens.invalidate(new ScopedTokens.Scope(loginServer, repository));
    }

    @Override
    public void close() {
        refresh.values().forEach(RefreshingToken::close);
    }

    /** Seconds until the soonest-expiring refresh token expires; NaN when none is held. */
    public Number refreshSecondsToExpiry() {
        Instant min = null;
        for (RefreshingToken<ScopedTokens.Held> r : refresh.values()) {
            ScopedTokens.Held h = r.current();
            if (h != null && (min == null || h.expiresAt().isBefore(min))) {
                min = h.expiresAt();
            }
        }
        return secondsTo(min);
    }

    /** Seconds until the last Entra token used for an exchange expires; NaN before the first. */
    public Number entraSecondsToExpiry() {
        AccessToken t = lastEntra;
        return secondsTo(t == null ? null : t.expiresAt());
    }

    private Number secondsTo(Instant t) {
        return t == null ? Double.NaN : Duration.between(clock.instant(), t).toMillis() / 1000.0;
    }

    private BearerChallenge challenge(String loginServer) {
        BearerChallenge c = challenges.challenge(loginServer);
        return c != null
                ? c
                : new BearerChallenge(
                        options.scheme() + "://" + loginServer + "/oauth2/token", loginServer, null, null, null);
    }

    private RefreshingToken<ScopedTokens.Held> refreshToken(String loginServer) {
        RefreshingToken<ScopedTokens.Held> r = refresh.get(loginServer);
        return r != null ? r : refresh.computeIfAbsent(loginServer, this::newRefreshToken);
    }

    private RefreshingToken<ScopedTokens.Held> newRefreshToken(String loginServer) {
        return new RefreshingToken<>(
                () -> exchange(loginServer),
                ScopedTokens.Held::expiresAt,
                ScopedTokens.Held::useUntil,
                REFRESH,
                Scheduler.of(vertx),
                clock,
                new RefreshingToken.Listener<>() {
                    @Override
                    public void failed(Throwable cause, int failuresInRow, Duration retryIn) {
                        LOG.log(Level.WARNING, "guard: no ACR refresh token for {0}: {1}", new Object[] {
                            loginServer, cause.getMessage()
                        });
                    }
                });
    }

    private Future<ScopedTokens.Held> exchange(String loginServer) {
        BearerChallenge challenge = challenge(loginServer);
        Future<AccessToken> entraToken;
        try {
            entraToken = entra.token(options.entraScope());
        } catch (RuntimeException e) {
            entraToken = Future.failedFuture(e);
        }
        return entraToken
                .recover(e -> Future.failedFuture(new OutboundException(Kind.TOKEN, "Entra token: " + e.getMessage())))
                .compose(aad -> {
                    lastEntra = aad;
                    MultiMap form = MultiMap.caseInsensitiveMultiMap()
                            .add("grant_type", "access_token")
                            .add("service", challenge.service())
                            .add("access_token", aad.token());
                    String tenant = !options.tenantId().isEmpty()
                            ? options.tenantId()
                            : Jwt.claim(aad.token(), "tid").orElse("");
                    if (!tenant.isEmpty()) {
                        form.add("tenant", tenant);
                    }
                    return tokens.bounded(client.postAbs(origin(challenge.realm()) + "/oauth2/exchange"))
                            .sendForm(form)
                            .transform(ar -> tokens.answer(ar, "exchange", "refresh_token", OPAQUE_REFRESH_LIFETIME));
                });
    }

    private static String origin(String realm) {
        URI u = URI.create(realm);
        return u.getScheme() + "://" + u.getRawAuthority();
    }
}
