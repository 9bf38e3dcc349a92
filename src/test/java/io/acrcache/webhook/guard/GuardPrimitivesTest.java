package io.acrcache.webhook.guard;

import io.acrcache.webhook.admission.SkipReason;
import io.acrcache.webhook.guard.auth.BearerChallenge;
import io.acrcache.webhook.guard.auth.Jwt;
import io.acrcache.webhook.outbound.RetryAfter;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pure pieces: budget, challenge, JWT claims, references, Retry-After, settings. */
class GuardPrimitivesTest {
    private static final Duration D750 = Duration.ofMillis(750);

    @Test
    void inlineBudgetIsTheSmallerOfTheSettingAndTheApiserverTimeoutMinusOneSecond() {
        assertEquals(D750, InlineBudget.of(D750, "10s"));
        assertEquals(D750, InlineBudget.of(D750, null));
        assertEquals(D750, InlineBudget.of(D750, "garbage"));
        assertEquals(Duration.ofMillis(500), InlineBudget.of(D750, "1500ms"));
        assertEquals(Duration.ZERO, InlineBudget.of(D750, "1s"));
        assertEquals(Duration.ZERO, InlineBudget.of(D750, "500ms"));
        assertEquals(Duration.ofSeconds(4), InlineBudget.of(Duration.ofSeconds(10), "5s"));
        assertEquals(
                Duration.ofSeconds(89), InlineBudget.parseGoDuration("1m30s").minusSeconds(1));
        assertNull(InlineBudget.parseGoDuration("10"));
        assertNull(InlineBudget.parseGoDuration("s"));
    }

    @Test
    void bearerChallengeIsParsedWithQuotesEscapesAndExtraParameters() {
        var c = BearerChallenge.parse("Bearer realm=\"https://myacr.azurecr.io/oauth2/token\","
                        + "service=\"myacr.azurecr.io\",scope=\"repository:docker/library/nginx:pull\","
                        + "error=\"insufficient_scope\"")
                .orElseThrow();
        assertEquals("https://myacr.azurecr.io/oauth2/token", c.realm());
        assertEquals("myacr.azurecr.io", c.service());
        assertEquals("repository:docker/library/nginx:pull", c.scope());
        assertEquals("insufficient_scope", c.error());
        var d = BearerChallenge.parse("bearer realm=https://auth.example/token, service=reg,"
                        + " error_description=\"say \\\"hi\\\"\"")
                .orElseThrow();
        assertEquals("https://auth.example/token", d.realm());
        assertEquals("reg", d.service());
        assertEquals("say \"hi\"", d.errorDescription());
        assertTrue(BearerChallenge.parse("Basic realm=\"x\"").isEmpty());
        assertTrue(BearerChallenge.parse("Bearer service=\"x\"").isEmpty());
        assertTrue(BearerChallenge.parse(null).isEmpty());
    }

    @Test
    void jwtExpiryAndClaimsAreReadFromThePayload() {
        String jwt = FakeAcr.jwt(new JsonObject().put("exp", 1_800_000_000L).put("tid", "t-1"));
        assertEquals(Instant.ofEpochSecond(1_800_000_000L), Jwt.expiry(jwt).orElseThrow());
        assertEquals("t-1", Jwt.claim(jwt, "tid").orElseThrow());
        assertTrue(Jwt.expiry("opaque-refresh-token").isEmpty());
        assertTrue(Jwt.expiry("a.%%%.c").isEmpty());
        assertTrue(Jwt.expiry(FakeAcr.jwt(new JsonObject().put("exp", "soon"))).isEmpty());
    }

    @Test
    void rewrittenReferencesAreSplitIntoTargets() {
        assertEquals(
                new ProbeTarget("myacr.azurecr.io", "docker/library/nginx", "1.25"),
                ProbeTarget.parse("myacr.azurecr.io/docker/library/nginx:1.25"));
        ProbeTarget pinned = ProbeTarget.parse("127.0.0.1:5000/docker/library/nginx:1.25@sha256:abc");
        assertEquals(new ProbeTarget("127.0.0.1:5000", "docker/library/nginx", "sha256:abc"), pinned);
        assertTrue(pinned.isDigest());
        assertEquals(
                "latest", ProbeTarget.parse("myacr.azurecr.io/docker/busybox").reference());
        assertFalse(ProbeTarget.parse("myacr.azurecr.io/docker/busybox").isDigest());
        assertThrows(IllegalArgumentException.class, () -> ProbeTarget.parse("nginx"));
    }

    @Test
    void retryAfterReadsSecondsAndHttpDates() {
        Clock clock = Clock.fixed(Instant.parse("2026-12-02T10:00:00Z"), ZoneOffset.UTC);
        assertEquals(Duration.ofSeconds(120), RetryAfter.parse("120", clock));
        assertEquals(Duration.ofSeconds(90), RetryAfter.parse("Wed, 02 Dec 2026 10:01:30 GMT", clock));
        assertNull(RetryAfter.parse("later", clock));
        assertNull(RetryAfter.parse(null, clock));
    }

    @Test
    void settingsDefaultsAreTheDocumentedOnes() {
        GuardSettings s = GuardSettings.defaults();
        assertEquals(D750, s.inlineBudget());
        assertEquals(GuardSettings.UnknownPolicy.LEAVE, s.unknownPolicy());
        assertEquals(GuardSettings.Auth.WORKLOAD_IDENTITY, s.auth());
        assertEquals("https", s.scheme());
        assertEquals(Duration.ofMinutes(10), s.tagTtl());
        assertEquals(Duration.ofHours(6), s.digestTtl());
        assertEquals(Duration.ofSeconds(60), s.notFoundTtl());
        assertEquals(32, s.maxInflightProbes());
        assertEquals(s, s.toBuilder().build());
        assertThrows(
                IllegalArgumentException.class,
                () -> GuardSettings.builder().scheme("ftp").build());
        assertThrows(
                IllegalArgumentException.class,
                () -> GuardSettings.builder().maxInflightProbes(0).build());
        var e = assertThrows(
                IllegalArgumentException.class,
                () -> GuardSettings.builder().tagTtl(Duration.ZERO).build());
        assertTrue(e.getMessage().contains("guard.tagTtl"), e.getMessage());
        assertThrows(
                IllegalArgumentException.class,
                () -> GuardSettings.builder()
                        .breakerMaxBackoff(Duration.ofSeconds(1))
                        .build());
    }

    @Test
    void verdictsCarryBoundedSkipLabels() {
        Candidate c = new Candidate("r", "l", "repo", "t", null, "l/repo:t");
        assertNull(new Verdict(c, Verdict.Decision.REWRITE, Verdict.Basis.CACHE_SERVABLE).skipLabel());
        assertEquals(
                "guard-not-servable",
                new Verdict(c, Verdict.Decision.LEAVE, Verdict.Basis.CACHE_NOT_FOUND).skipLabel());
        assertEquals(
                "guard-breaker-open", new Verdict(c, Verdict.Decision.LEAVE, Verdict.Basis.BREAKER_OPEN).skipLabel());
        for (Verdict.Basis b : Verdict.Basis.values()) {
            if (b.skipLabel() != null) {
                assertNotNull(SkipReason.guard(b.skipLabel()), "every guard label is a bounded skip reason: " + b);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new Candidate("r", "l", "repo", null, null, "x"));
    }
}
