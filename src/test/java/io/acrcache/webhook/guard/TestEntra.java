package io.acrcache.webhook.guard;

import io.acrcache.webhook.azure.AccessToken;
import io.acrcache.webhook.azure.AccessTokenSource;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Entra as the guard sees it: a token source; records the scopes asked for and can be made to fail. */
final class TestEntra implements AccessTokenSource {
    final List<String> scopes = new CopyOnWriteArrayList<>();
    final Clock clock;
    volatile String failure;

    TestEntra(Clock clock) {
        this.clock = clock;
    }

    @Override
    public Future<AccessToken> token(String scope) {
        scopes.add(scope);
        if (failure != null) {
            return Future.failedFuture(failure);
        }
        var exp = clock.instant().plus(Duration.ofHours(24));
        String jwt = FakeAcr.jwt(new JsonObject()
                .put("aud", "https://containerregistry.azure.net")
                .put("tid", FakeAcr.ENTRA_TOKEN_TID)
                .put("exp", exp.getEpochSecond()));
        return Future.succeededFuture(new AccessToken(jwt, exp));
    }
}
