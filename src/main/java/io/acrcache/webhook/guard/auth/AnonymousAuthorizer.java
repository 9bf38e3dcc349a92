package io.acrcache.webhook.guard.auth;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;

import java.time.Clock;
import java.time.Duration;

/**
 * No credentials: {@code GET <realm>?service=...&scope=...} for an anonymous token (distribution's token spec) once the
 * registry has shown a challenge, or no token at all while it has not (or {@code /v2/} answered 200).
 */
public final class AnonymousAuthorizer implements RegistryAuthorizer {
    private static final Duration OPAQUE_ACCESS_LIFETIME = Duration.ofSeconds(60);

    private final WebClient client;
    private final Challenges challenges;
    private final ScopedTokens tokens;

    public AnonymousAuthorizer(WebClient client, AuthOptions options, Clock clock, Challenges challenges) {
        this.client = client;
        this.challenges = challenges;
        this.tokens = new ScopedTokens(options, clock);
    }

    @Override
    public Future<Void> start(String loginServer) {
        return Future.succeededFuture();
    }

    @Override
    public boolean ready(String loginServer) {
        return true;
    }

    @Override
    public Throwable failure(String loginServer) {
        return null;
    }

    @Override
    public Future<String> authorization(String loginServer, String repository, boolean inline) {
        BearerChallenge challenge = challenges.challenge(loginServer);
        if (challenges.open(loginServer) || challenge == null) {
            return Future.succeededFuture(null);
        }
        ScopedTokens.Scope scope = new ScopedTokens.Scope(loginServer, repository);
        String cached = tokens.cached(scope);
        if (cached != null) {
            return Future.succeededFuture(cached);
        }
        return tokens.fetch(scope, () -> {
            HttpRequest<Buffer> req =
                    tokens.bounded(client.getAbs(challenge.realm())).addQueryParam("scope", scope.value());
            if (!challenge.service().isEmpty()) {
                req.addQueryParam("service", challenge.service());
            }
            return req.send().transform(ar -> tokens.answer(ar, "anonymous token", null, OPAQUE_ACCESS_LIFETIME));
        });
    }

    @Override
    public void rejected(String loginServer, String repository) {
        tokens.invalidate(new ScopedTokens.Scope(loginServer, repository));
    }

    @Override
    public void close() {}
}
