package io.acrcache.webhook.guard;

import io.acrcache.webhook.guard.auth.AcrScopes;
import io.acrcache.webhook.guard.auth.AcrTokenExchange;
import io.acrcache.webhook.guard.auth.Challenges;
import io.acrcache.webhook.testing.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.acrcache.webhook.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ACR's token flow against the in-process fake: exchange, per-scope tokens, expiry read from the JWTs. */
class AcrTokensTest {
    private final Vertx vertx = Vertx.vertx();
    private final WebClient client = WebClient.create(vertx);
    private FakeAcr acr;
    private AcrTokenExchange tokens;

    @AfterEach
    void tearDown() throws Exception {
        if (tokens != null) {
            tokens.close();
        }
        if (acr != null) {
            acr.close();
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private AcrTokenExchange tokens(GuardSettings settings, Clock clock, TestEntra entra) {
        tokens = new AcrTokenExchange(vertx, client, GuardAuth.options(settings), entra, clock, new Challenges());
        return tokens;
    }

    private static GuardSettings.Builder http() {
        return GuardSettings.builder().scheme("http");
    }

    private static <T> T get(Future<T> f) throws Exception {
        return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    }

    @Test
    void accessTokensAreCachedPerScopeUntilShortlyBeforeTheirJwtExpiry() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-02T00:00:00Z"));
        acr = new FakeAcr(vertx, clock);
        acr.accessLifetime = Duration.ofMinutes(10); // not ACR's usual 75 min: the guard must read exp
        tokens(http().build(), clock, new TestEntra(clock));
        get(tokens.start(acr.login));
        assertEquals(1, acr.exchanges.get());
        assertTrue(tokens.ready(acr.login));

        String a1 = get(tokens.authorization(acr.login, "docker/library/a", true));
        assertTrue(a1.startsWith("Bearer "));
        assertEquals(a1, get(tokens.authorization(acr.login, "docker/library/a", true)));
        String b1 = get(tokens.authorization(acr.login, "docker/library/b", true));
        assertNotEquals(a1, b1);
        assertEquals(List.of("repository:docker/library/a:pull", "repository:docker/library/b:pull"), acr.tokenScopes);

        clock.advance(Duration.ofMinutes(8)); // a tenth of the life (60 s) before exp is still fine
        assertEquals(a1, get(tokens.authorization(acr.login, "docker/library/a", true)));
        clock.advance(Duration.ofSeconds(61));
        get(tokens.authorization(acr.login, "docker/library/a", true));
        assertEquals(3, acr.tokenScopes.size(), "renewed before its exp, from the refresh token in memory");
        assertEquals(1, acr.exchanges.get());
    }

    @Test
    void identicalTokenRequestsInFlightAreMerged() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-02T00:00:00Z"));
        acr = new FakeAcr(vertx, clock);
        tokens(http().build(), clock, new TestEntra(clock));
        get(tokens.start(acr.login));
        acr.tokenDelay = Duration.ofMillis(200);
        List<Future<String>> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            all.add(tokens.authorization(acr.login, "docker/library/a", false));
        }
        String first = get(all.get(0));
        for (Future<String> f : all) {
            assertEquals(first, get(f));
        }
        assertEquals(1, acr.tokenScopes.size());
    }

    @Test
    void refreshTokenIsKeptWarmInTheBackgroundFromItsOwnExpiry() throws Exception {
        Clock clock = Clock.systemUTC();
        acr = new FakeAcr(vertx, clock);
        acr.refreshLifetime = Duration.ofSeconds(3); // renewed at 80 % of its life
        TestEntra entra = new TestEntra(clock);
        tokens(http().build(), clock, entra);
        get(tokens.start(acr.login));
        assertEquals(1, acr.exchanges.get());
        // the fake counts an exchange when the request arrives; the renewed token is held once its answer is read
        eventually(
                "the refresh token is renewed before it expires",
                () -> acr.exchanges.get() >= 2 && tokens.ready(acr.login));
        assertTrue(entra.scopes.stream().allMatch(GuardSettings.ACR_SCOPE::equals), entra.scopes.toString());
    }

    @Test
    void withoutARefreshTokenInlineRequestsFailAtOnceAndTheBackgroundRetries() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-02T00:00:00Z"));
        acr = new FakeAcr(vertx, clock);
        TestEntra entra = new TestEntra(clock);
        entra.failure = "AADSTS70021: No matching federated identity record found";
        tokens(http().build(), clock, entra);
        get(tokens.start(acr.login));
        assertFalse(tokens.ready(acr.login));
        assertEquals(
                ProbeResult.Outcome.AUTH,
                ProbeResult.failure(tokens.failure(acr.login)).outcome());
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(
                ExecutionException.class, () -> get(tokens.authorization(acr.login, "docker/library/a", true)));
        assertEquals(
                ProbeResult.Outcome.NO_TOKEN, ProbeResult.failure(e.getCause()).outcome());
        assertEquals(0, acr.exchanges.get());

        entra.failure = null;
        eventually("the background retry gets the refresh token", () -> tokens.ready(acr.login));
        assertEquals(null, tokens.failure(acr.login));
    }

    @Test
    void theTenantIsSentAndARefusedExchangeIsOurAuthFailing() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-02T00:00:00Z"));
        acr = new FakeAcr(vertx, clock);
        tokens(http().tenantId("another-tenant").build(), clock, new TestEntra(clock));
        get(tokens.start(acr.login));
        assertEquals(1, acr.exchanges.get());
        assertFalse(tokens.ready(acr.login));
        assertEquals(
                ProbeResult.Outcome.AUTH,
                ProbeResult.failure(tokens.failure(acr.login)).outcome());
    }

    @Test
    void aChallengeWhoseRealmNamesAnotherHostIsRefusedAndNothingIsSentThere() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-02T00:00:00Z"));
        acr = new FakeAcr(vertx, clock);
        Challenges challenges = new Challenges();
        challenges.learn(
                acr.login,
                io.acrcache.webhook.guard.auth.BearerChallenge.parse(
                                "Bearer realm=\"http://attacker.example/oauth2/token\",service=\"" + acr.login + "\"")
                        .orElseThrow());
        TestEntra entra = new TestEntra(clock);
        tokens = new AcrTokenExchange(vertx, client, GuardAuth.options(http().build()), entra, clock, challenges);
        get(tokens.start(acr.login));
        assertFalse(tokens.ready(acr.login));
        assertEquals(
                ProbeResult.Outcome.REALM_REFUSED,
                ProbeResult.failure(tokens.failure(acr.login)).outcome(),
                "the guard counts as unhealthy, with its own reason");
        assertTrue(entra.scopes.isEmpty(), "no Entra token was even fetched for a foreign realm");
        assertEquals(0, acr.exchanges.get());
    }

    @Test
    void theAcrTokenScopeFollowsTheCloudOfTheLoginServer() throws Exception {
        assertEquals("https://containerregistry.azure.net/.default", AcrScopes.of("myacr.azurecr.io"));
        assertEquals("https://containerregistry.azure.cn/.default", AcrScopes.of("myacr.azurecr.cn"));
        assertEquals("https://containerregistry.azure.us/.default", AcrScopes.of("MyAcr.AzureCR.us"));
        assertEquals(AcrScopes.PUBLIC, AcrScopes.of("127.0.0.1:5000"));
        MutableClock clock = new MutableClock(Instant.parse("2026-12-02T00:00:00Z"));
        acr = new FakeAcr(vertx, clock);
        TestEntra entra = new TestEntra(clock);
        tokens(http().build(), clock, entra);
        get(tokens.start(acr.login));
        assertEquals(java.util.List.of(AcrScopes.PUBLIC), entra.scopes);
    }

    @Test
    void aRefreshTokenRefusedByTheTokenEndpointIsDroppedAndRenewedWithBackoff() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-12-02T00:00:00Z"));
        acr = new FakeAcr(vertx, clock);
        tokens(http().build(), clock, new TestEntra(clock));
        get(tokens.start(acr.login));
        assertTrue(tokens.ready(acr.login));
        assertEquals(1, acr.exchanges.get());
        acr.tokenAnswer = req -> req.response().setStatusCode(401).end("{\"errors\":[{\"code\":\"UNAUTHORIZED\"}]}");
        org.junit.jupiter.api.Assertions.assertThrows(
                ExecutionException.class, () -> get(tokens.authorization(acr.login, "docker/library/a", false)));
        assertFalse(tokens.ready(acr.login), "the refused refresh token was dropped");
        for (int i = 0; i < 5; i++) {
            org.junit.jupiter.api.Assertions.assertThrows(
                    ExecutionException.class, () -> get(tokens.authorization(acr.login, "docker/library/b", false)));
        }
        assertEquals(1, acr.exchanges.get(), "callers wait for the back-off: no exchange storm");
        acr.tokenAnswer = null;
        clock.advance(Duration.ofSeconds(2));
        eventually("renewed in the background after the back-off", () -> tokens.ready(acr.login));
        assertEquals(2, acr.exchanges.get());
    }
}
