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
    // while a retry is scheduled callers get the last failure: the exchange back-off is never bypassed
    private static final RefreshingToken.Policy REFRESH = new RefreshingToken.Policy(
            80, Duration.ZERO, Duration.ofSeconds(1), new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60)), true);

    private final Vertx vertx;
    private final WebClient client;
    private final AuthOptions options;
    private final AccessTokenSource entra;
    private final Clock clock;
    private final Challenges challenges;
    private final ScopedTokens tokens;
    private final ConcurrentMap<String, RefreshingToken<ScopedTokens.Held>> refresh = new ConcurrentHashMap<>();
    private volatile AccessToken lastEntra;
    private final java.util.Set<String> refusedRealms = ConcurrentHashMap.newKeySet();
    // a refresh token /oauth2/token refused: dropped, and renewed no sooner than this (back-off per refusal in a row)
    private final ConcurrentMap<String, Instant> renewNotBefore = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Integer> refusedInRow = new ConcurrentHashMap<>();

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
        BearerChallenge challenge;
        try {
            challenge = challenge(loginServer);
        } catch (RealmRefusedException e) {
            return Future.failedFuture(e);
        }
        ScopedTokens.Scope scope = new ScopedTokens.Scope(loginServer, repository);
        String cached = tokens.cached(scope);
        if (cached != null) {
            return Future.succeededFuture(cached);
        }
        RefreshingToken<ScopedTokens.Held> r = refreshToken(loginServer);
        if (inline && !r.usable()) {
            return Future.failedFuture(new OutboundException(Kind.NOT_READY, "no ACR refresh token yet"));
        }
        Instant notBefore = renewNotBefore.get(loginServer);
        if (!r.usable() && notBefore != null && clock.instant().isBefore(notBefore)) {
            return Future.failedFuture(
                    new OutboundException(Kind.UNAUTHORIZED, "ACR refresh token refused; renewing after back-off"));
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
                            .onFailure(e -> refused(loginServer, r, e))
                            .onSuccess(h -> refusedInRow.remove(loginServer))
                            .map(h ->
                                    new ScopedTokens.Held("Bearer " + h.authorization(), h.useUntil(), h.expiresAt()));
                }));
    }

    /** {@code /oauth2/token} refused the refresh token itself: drop it and renew in the background after a back-off. */
    private void refused(String loginServer, RefreshingToken<ScopedTokens.Held> r, Throwable e) {
        if (!(e instanceof OutboundException oe) || (oe.kind() != Kind.UNAUTHORIZED && oe.kind() != Kind.FORBIDDEN)) {
            return;
        }
        int n = refusedInRow.merge(loginServer, 1, Integer::sum);
        Duration wait = REFRESH.backoff().delay(n, oe.retryAfter());
        renewNotBefore.put(loginServer, clock.instant().plus(wait));
        r.drop();
        LOG.log(
                Level.WARNING,
                "guard: ACR refresh token for {0} refused by /oauth2/token; renewing in {1} s",
                new Object[] {loginServer, wait.toSeconds()});
        vertx.setTimer(Math.max(1, wait.toMillis()), t -> r.get());
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

    /**
     * The challenge to follow. ACR's realm is always the login server itself: a realm on another host would receive the
     * workload identity's token exchange, so it is refused (logged once per realm) and nothing is sent.
     */
    private BearerChallenge challenge(String loginServer) {
        BearerChallenge c = challenges.challenge(loginServer);
        if (c == null) {
            return new BearerChallenge(
                    options.scheme() + "://" + loginServer + "/oauth2/token", loginServer, null, null, null);
        }
        String realmHost;
        try {
            realmHost = URI.create(c.realm()).getHost();
        } catch (IllegalArgumentException e) {
            realmHost = null;
        }
        // the host, not the port: a registry may serve its token endpoint on another port of itself
        String loginHost = URI.create(options.scheme() + "://" + loginServer).getHost();
        if (realmHost == null || !realmHost.equalsIgnoreCase(loginHost)) {
            String why = "token realm " + c.realm() + " is not on the login server " + loginServer + ": refused";
            if (refusedRealms.add(c.realm())) {
                LOG.log(Level.WARNING, "guard: {0}", why);
            }
            throw new RealmRefusedException(why);
        }
        return c;
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
        BearerChallenge challenge;
        try {
            challenge = challenge(loginServer);
        } catch (RealmRefusedException e) {
            return Future.failedFuture(e);
        }
        Future<AccessToken> entraToken;
        try {
            entraToken = entra.token(AcrScopes.of(loginServer));
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
