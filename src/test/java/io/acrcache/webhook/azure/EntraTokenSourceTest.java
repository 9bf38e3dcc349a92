package io.acrcache.webhook.azure;

import io.acrcache.webhook.outbound.OutboundException;
import io.acrcache.webhook.outbound.OutboundException.Kind;
import io.acrcache.webhook.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import static io.acrcache.webhook.azure.FakeTls.await;
import static io.acrcache.webhook.azure.FakeTls.failure;
import static io.acrcache.webhook.testing.Eventually.eventually;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The client-assertion grant against a fake Entra token endpoint over real TLS. */
class EntraTokenSourceTest {
    private static final String ARM = "https://management.azure.com/.default";
    private static final String ACR = "https://containerregistry.azure.net/.default";
    private static final EntraTokenSource.Options FAST = new EntraTokenSource.Options(
            new AzureHttp.Timeouts(Duration.ofSeconds(5), Duration.ofSeconds(10)),
            Duration.ofMillis(100),
            Duration.ofMillis(400));

    @TempDir
    Path dir;

    private Vertx vertx;
    private FakeEntra entra;
    private Path tokenFile;
    private EntraTokenSource tokens;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        tokenFile = dir.resolve("azure-identity-token");
        Files.writeString(tokenFile, "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.first-projected-token.sig\n");
        entra = new FakeEntra(vertx, tokenFile);
        tokens = source(entra.identity());
    }

    private EntraTokenSource source(WorkloadIdentity identity) {
        WebClient client = FakeTls.client(vertx, FAST.timeouts());
        return new EntraTokenSource(vertx, client, identity, FAST, Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        tokens.close();
        entra.close();
        await(vertx.close());
    }

    @Test
    void fetchesWithTheFederatedAssertionAndCachesPerScope() {
        AccessToken token = await(tokens.token(ARM));
        assertTrue(entra.valid(token.token(), ARM));
        assertEquals(1, entra.requests.size());
        var form = entra.requests.get(0);
        assertEquals("client_credentials", form.get("grant_type"));
        assertEquals(FakeEntra.CLIENT_ID, form.get("client_id"));
        assertEquals(ARM, form.get("scope"));
        assertEquals("urn:ietf:params:oauth:client-assertion-type:jwt-bearer", form.get("client_assertion_type"));
        assertEquals("eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.first-projected-token.sig", form.get("client_assertion"));

        Future<AccessToken> again = tokens.token(ARM);
        assertTrue(again.isComplete(), "a cached token is answered without waiting");
        assertSame(token, again.result());
        assertEquals(1, entra.requests.size());
        double left = tokens.secondsToExpiry(ARM).orElseThrow();
        assertTrue(left > 3500 && left <= 3599, "expiry read from expires_in: " + left);
    }

    @Test
    void readsTheTokenFileAnewForEveryRequest() throws Exception {
        await(tokens.token(ARM));
        Files.writeString(tokenFile, "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.rotated-by-kubelet.sig");
        AccessToken acr = await(tokens.token(ACR));
        assertTrue(entra.valid(acr.token(), ACR));
        assertEquals(
                "eyJhbGciOiJSUzI1NiIsImtpZCI6IjEifQ.rotated-by-kubelet.sig",
                entra.requests.get(1).get("client_assertion"));
    }

    @Test
    void refreshesInTheBackgroundBeforeExpiryWithTheRotatedFile() throws Exception {
        entra.expiresIn = 2; // refreshed at half its lifetime: 1 s
        AccessToken first = await(tokens.token(ARM));
        Files.writeString(tokenFile, "rotated-assertion");
        eventually("a background refresh", () -> entra.requestsFor(ARM) >= 2);
        assertEquals("rotated-assertion", entra.requests.get(1).get("client_assertion"));
        eventually("the refreshed token is served", () -> {
            Future<AccessToken> now = tokens.token(ARM);
            return now.isComplete() && now.succeeded() && !now.result().equals(first);
        });
        assertTrue(entra.valid(tokens.token(ARM).result().token(), ARM));
    }

    @Test
    void anExpiredTokenIsNeverServedAndACallerGetsAFreshOne() {
        MutableClock clock = new MutableClock(Instant.now());
        EntraTokenSource timed =
                new EntraTokenSource(vertx, FakeTls.client(vertx, FAST.timeouts()), entra.identity(), FAST, clock);
        try {
            AccessToken first = await(timed.token(ARM));
            clock.advance(Duration.ofHours(1)); // e.g. the node slept through the refresh
            Future<AccessToken> next = timed.token(ARM);
            assertTrue(!next.isComplete() || !next.result().equals(first), "the expired token is not served");
            AccessToken fresh = await(next);
            assertNotEquals(first, fresh);
            assertEquals(2, entra.requestsFor(ARM));
            assertSame(fresh, timed.token(ARM).result());
        } finally {
            timed.close();
        }
    }

    @Test
    void refreshDelayIsEightyPercentOrFiveMinutesBeforeExpiry() {
        // Entra's usual lifetimes: 80 % comes first
        assertEquals(Duration.ofMillis(2_879_200), EntraTokenSource.refreshDelay(Duration.ofSeconds(3599)));
        assertEquals(Duration.ofMinutes(72), EntraTokenSource.refreshDelay(Duration.ofMinutes(90)));
        // 20 minutes: 5 minutes before expiry comes first
        assertEquals(Duration.ofMinutes(15), EntraTokenSource.refreshDelay(Duration.ofMinutes(20)));
        // short lifetimes: never before half of it
        assertEquals(Duration.ofSeconds(150), EntraTokenSource.refreshDelay(Duration.ofSeconds(300)));
        assertEquals(Duration.ofSeconds(1), EntraTokenSource.refreshDelay(Duration.ofSeconds(2)));
    }

    @Test
    void anAadstsRefusalIsNamedAndRetriedInTheBackground() throws Exception {
        Files.writeString(tokenFile, "an-expired-assertion");
        entra.override = FakeEntra.error(
                400,
                "invalid_client",
                700024,
                "Client assertion is not within its valid time range. Current time: 2026-12-02T04:00:00Z,"
                        + " assertion valid from 2026-12-01T02:00:00Z, expiry time of assertion 2026-12-01T03:00:00Z.");
        Throwable t = failure(tokens.token(ARM));
        OutboundException e = assertInstanceOf(OutboundException.class, t);
        assertEquals(Kind.REJECTED, e.kind());
        assertEquals("invalid_client", e.code());
        assertTrue(e.getMessage().contains("AADSTS700024"), e.getMessage());
        assertTrue(!e.getMessage().contains("Trace ID"), "only the first line of the description: " + e.getMessage());
        assertTrue(!e.getMessage().contains("an-expired-assertion"), "never the assertion");
        assertEquals(1L, tokens.failures().get(Kind.REJECTED));

        entra.override = null;
        Files.writeString(tokenFile, "a-fresh-assertion");
        eventually("the background retry succeeds", () -> {
            Future<AccessToken> now = tokens.token(ARM);
            return now.isComplete() && now.succeeded();
        });
        assertTrue(tokens.lastFailure(ARM).isEmpty());
    }

    @Test
    void throttlingKeepsRetryAfter() {
        entra.override = new FakeEntra.Answer(
                429,
                new JsonObject().put("error", "temporarily_unavailable").put("error_description", "AADSTS50196: loop"),
                Map.of("Retry-After", "17"));
        OutboundException e = assertInstanceOf(OutboundException.class, failure(tokens.token(ARM)));
        assertEquals(Kind.THROTTLED, e.kind());
        assertEquals(17, e.retryAfterSeconds().orElseThrow());
    }

    @Test
    void serverErrorsAndMalformedAnswersAreClassified() {
        entra.override = new FakeEntra.Answer(503, new JsonObject(), Map.of());
        assertEquals(Kind.SERVER_ERROR, ((OutboundException) failure(tokens.token(ARM))).kind());
        entra.override = new FakeEntra.Answer(200, new JsonObject().put("token_type", "Bearer"), Map.of());
        assertEquals(Kind.MALFORMED, ((OutboundException) failure(tokens.token(ACR))).kind());
    }

    @Test
    void aMissingTokenFileIsNamed() {
        EntraTokenSource missing = source(new WorkloadIdentity(
                FakeEntra.CLIENT_ID, FakeEntra.TENANT, dir.resolve("no-such-token"), entra.authorityHost()));
        try {
            OutboundException e = assertInstanceOf(OutboundException.class, failure(missing.token(ARM)));
            assertEquals(Kind.TOKEN_FILE, e.kind());
            assertTrue(e.getMessage().contains(dir.resolve("no-such-token").toString()), e.getMessage());
            assertEquals(0, entra.requests.size(), "nothing sent without an assertion");
        } finally {
            missing.close();
        }
    }

    @Test
    void anEmptyTokenFileIsNamed() throws Exception {
        Files.writeString(tokenFile, "  \n");
        OutboundException e = assertInstanceOf(OutboundException.class, failure(tokens.token(ARM)));
        assertEquals(Kind.TOKEN_FILE, e.kind());
        assertTrue(e.getMessage().contains(tokenFile + " is empty"), e.getMessage());
        assertEquals(0, entra.requests.size());
    }

    @Test
    void untrustedEndpointFailsAsConnection() {
        WebClient jdkTrust = AzureHttp.client(vertx, FAST.timeouts()); // JDK cacerts: the test CA is not in it
        EntraTokenSource strict = new EntraTokenSource(vertx, jdkTrust, entra.identity(), FAST, Clock.systemUTC());
        try {
            OutboundException e = assertInstanceOf(OutboundException.class, failure(strict.token(ARM)));
            assertEquals(Kind.CONNECTION, e.kind());
            assertEquals(0, entra.requests.size());
        } finally {
            strict.close();
        }
    }

    @Test
    void theHostNameIsVerified() {
        // trusted CA, but a certificate for another name: must be refused
        var other = io.acrcache.webhook.tls.CertificateGenerator.issue(
                FakeTls.CA.caCertificate(),
                FakeTls.CA.caKey(),
                "elsewhere.example",
                java.util.List.of("elsewhere.example"),
                java.util.List.of(),
                Duration.ofHours(1));
        var server = await(vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions()
                        .setSsl(true)
                        .setHost("127.0.0.1")
                        .setKeyCertOptions(new io.vertx.core.net.PemKeyCertOptions()
                                .setCertValue(io.vertx.core.buffer.Buffer.buffer(other.certificatePem()))
                                .setKeyValue(io.vertx.core.buffer.Buffer.buffer(other.keyPem()))))
                .requestHandler(r -> r.response().end("{}"))
                .listen(0));
        EntraTokenSource wrongName = source(new WorkloadIdentity(
                FakeEntra.CLIENT_ID,
                FakeEntra.TENANT,
                tokenFile,
                java.net.URI.create("https://localhost:" + server.actualPort() + "/")));
        try {
            OutboundException e = assertInstanceOf(OutboundException.class, failure(wrongName.token(ARM)));
            assertEquals(Kind.CONNECTION, e.kind());
        } finally {
            wrongName.close();
            await(server.close());
        }
    }

    @Test
    void metricsShowExpiryPerScopeAndFailuresByReason() throws Exception {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        tokens.bindMetrics(registry);
        await(tokens.token(ARM));
        double left = registry.get(EntraTokenSource.TOKEN_EXPIRY_METRIC)
                .tag("scope", ARM)
                .gauge()
                .value();
        assertTrue(left > 3500, "gauge " + left);
        Files.writeString(tokenFile, "");
        failure(tokens.token(ACR));
        assertEquals(
                1.0,
                registry.get(EntraTokenSource.TOKEN_FAILURES_METRIC)
                        .tag("reason", "token-file")
                        .functionCounter()
                        .count());
        assertNotEquals(
                null,
                registry.find(EntraTokenSource.TOKEN_EXPIRY_METRIC)
                        .tag("scope", ACR)
                        .gauge());
    }
}
