package io.acrcache.webhook.opsauth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Asks the API server, as controller-runtime's metrics filter and kube-rbac-proxy do: a TokenReview says who the token
 * belongs to, then a SubjectAccessReview whether that user may {@code get} the path as a non-resource URL. Both answers
 * are cached briefly and boundedly (kube-rbac-proxy's figures: two minutes for a token, five for an allowed and half a
 * minute for a denied path), so a scraper or a refreshing page costs the API server nothing per request. Failures to
 * ask are never cached: the next request asks again.
 */
public final class KubernetesAccessReviewer implements AccessReviewer {
    private static final Logger LOG = Logger.getLogger(KubernetesAccessReviewer.class.getName());
    static final Duration TOKEN_TTL = Duration.ofMinutes(2);
    static final Duration UNKNOWN_TOKEN_TTL = Duration.ofSeconds(10);
    static final Duration ALLOWED_TTL = Duration.ofMinutes(5);
    static final Duration DENIED_TTL = Duration.ofSeconds(30);
    private static final int MAX_ENTRIES = 4096;

    private final Vertx vertx;
    private final KubernetesClient client;
    /** Token digest → who it is (null user: not authenticated). Never the token itself. */
    private final Cache<String, Identity> identities;
    /** User and path → the decision. */
    private final Cache<String, AccessDecision> decisions;

    public KubernetesAccessReviewer(Vertx vertx, KubernetesClient client) {
        this(vertx, client, Ticker.systemTicker());
    }

    KubernetesAccessReviewer(Vertx vertx, KubernetesClient client, Ticker ticker) {
        this.vertx = vertx;
        this.client = client;
        this.identities = Caffeine.newBuilder()
                .maximumSize(MAX_ENTRIES)
                .ticker(ticker)
                .expireAfter(
                        Expiry.<String, Identity>creating((k, v) -> v.authenticated() ? TOKEN_TTL : UNKNOWN_TOKEN_TTL))
                .build();
        this.decisions = Caffeine.newBuilder()
                .maximumSize(MAX_ENTRIES)
                .ticker(ticker)
                .expireAfter(Expiry.<String, AccessDecision>creating(
                        (k, v) -> v.kind() == AccessDecision.Kind.ALLOWED ? ALLOWED_TTL : DENIED_TTL))
                .build();
    }

    /** Who a token belongs to; {@code user} null when the API server does not recognise it. */
    record Identity(String user, String uid, List<String> groups, Map<String, List<String>> extra, String error) {
        boolean authenticated() {
            return user != null;
        }
    }

    @Override
    public Future<AccessDecision> review(String token, String path) {
        String key = digest(token);
        Identity known = identities.getIfPresent(key);
        Future<Identity> identity = known != null
                ? Future.succeededFuture(known)
                : vertx.executeBlocking(() -> authenticate(token), false).onSuccess(i -> identities.put(key, i));
        return identity.compose(i -> {
                    if (!i.authenticated()) {
                        return Future.succeededFuture(AccessDecision.unauthenticated(
                                "the token is not valid" + (i.error() == null ? "" : ": " + i.error())));
                    }
                    String decisionKey = i.user() + "\n" + String.join(",", i.groups()) + "\n" + path;
                    AccessDecision cached = decisions.getIfPresent(decisionKey);
                    if (cached != null) {
                        return Future.succeededFuture(cached);
                    }
                    return vertx.executeBlocking(() -> authorize(i, path), false)
                            .onSuccess(d -> decisions.put(decisionKey, d));
                })
                .recover(e -> {
                    String why = "cannot ask the Kubernetes API server who may read " + path + ": " + e.getMessage();
                    LOG.warning("ops: " + why);
                    return Future.succeededFuture(AccessDecision.unavailable(why));
                });
    }

    private Identity authenticate(String token) {
        TokenReview review = client.authentication()
                .v1()
                .tokenReviews()
                .create(new TokenReviewBuilder()
                        .withNewSpec()
                        .withToken(token)
                        .endSpec()
                        .build());
        if (review.getStatus() == null
                || !Boolean.TRUE.equals(review.getStatus().getAuthenticated())) {
            String error =
                    review.getStatus() == null ? null : review.getStatus().getError();
            return new Identity(null, null, List.of(), Map.of(), error);
        }
        UserInfo user = review.getStatus().getUser();
        return new Identity(
                user.getUsername(),
                user.getUid(),
                user.getGroups() == null ? List.of() : List.copyOf(user.getGroups()),
                user.getExtra() == null ? Map.of() : Map.copyOf(user.getExtra()),
                null);
    }

    private AccessDecision authorize(Identity who, String path) {
        SubjectAccessReview review = client.authorization()
                .v1()
                .subjectAccessReview()
                .create(new SubjectAccessReviewBuilder()
                        .withNewSpec()
                        .withUser(who.user())
                        .withUid(who.uid())
                        .withGroups(who.groups())
                        .withExtra(who.extra())
                        .withNewNonResourceAttributes()
                        .withPath(path)
                        .withVerb("get")
                        .endNonResourceAttributes()
                        .endSpec()
                        .build());
        if (review.getStatus() != null && Boolean.TRUE.equals(review.getStatus().getAllowed())) {
            return AccessDecision.allowed(who.user());
        }
        String reason = review.getStatus() == null ? null : review.getStatus().getReason();
        return AccessDecision.forbidden(
                who.user(),
                who.user() + " may not get " + path
                        + (reason == null || reason.isBlank() ? "" : " (" + reason + ")")
                        + "; grant the ClusterRole acr-cache-webhook-ops-reader");
    }

    /** The cache key for a token: a digest, so no token stays in memory longer than its request. */
    private static String digest(String token) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
