package io.acrcache.webhook.guard;

import io.acrcache.webhook.admission.AdmissionReviewHandler;
import io.acrcache.webhook.admission.ImageDecision;
import io.acrcache.webhook.admission.PodPlan;
import io.acrcache.webhook.admission.ReviewPlan;
import io.acrcache.webhook.admission.SkipReason;
import io.acrcache.webhook.testing.Reviews;
import io.acrcache.webhook.testing.TestConfigs;
import io.acrcache.webhook.testing.TestPods;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Plan → candidates → verdicts → revised plan, without a registry. */
class GuardReviserTest {
    private final AdmissionReviewHandler handler = new AdmissionReviewHandler(TestConfigs::defaults);

    private PodPlan plan(String... images) throws Exception {
        return ((ReviewPlan.Planned) handler.plan(
                        Reviews.create(TestPods.withImages(images)).getBytes(StandardCharsets.UTF_8), null))
                .plan();
    }

    @Test
    void eachRewriteBecomesACandidateWithItsRuleRepositoryAndReference() throws Exception {
        String digest = "sha256:" + "a".repeat(64);
        List<Candidate> c = GuardReviser.candidates(plan("nginx:1.25", "ghcr.io/x/y:1", "redis", "busybox@" + digest));
        assertEquals(
                List.of(
                        new Candidate(
                                "docker-hub",
                                "myacr.azurecr.io",
                                "docker/library/nginx",
                                "1.25",
                                null,
                                "myacr.azurecr.io/docker/library/nginx:1.25"),
                        new Candidate(
                                "docker-hub",
                                "myacr.azurecr.io",
                                "docker/library/redis",
                                "latest",
                                null,
                                "myacr.azurecr.io/docker/library/redis"),
                        new Candidate(
                                "docker-hub",
                                "myacr.azurecr.io",
                                "docker/library/busybox",
                                null,
                                digest,
                                "myacr.azurecr.io/docker/library/busybox@" + digest)),
                c);
    }

    @Test
    void verdictsWithdrawRewritesWithTheGuardsSkipReason() throws Exception {
        PodPlan plan = plan("nginx:1.25", "ghcr.io/x/y:1", "redis:7", "busybox:1");
        List<Candidate> c = GuardReviser.candidates(plan);
        PodPlan revised = GuardReviser.apply(
                plan,
                List.of(
                        new Verdict(c.get(0), Verdict.Decision.REWRITE, Verdict.Basis.CACHE_SERVABLE),
                        new Verdict(c.get(1), Verdict.Decision.LEAVE, Verdict.Basis.INLINE_NOT_FOUND),
                        new Verdict(c.get(2), Verdict.Decision.LEAVE, Verdict.Basis.BREAKER_OPEN)));
        List<ImageDecision> d = revised.decisions();
        assertEquals("myacr.azurecr.io/docker/library/nginx:1.25", d.get(0).rewritten());
        assertEquals(SkipReason.NO_RULE, d.get(1).skipReason());
        assertEquals(SkipReason.GUARD_NOT_SERVABLE, d.get(2).skipReason());
        assertEquals("redis:7", d.get(2).original());
        assertEquals(SkipReason.GUARD_BREAKER_OPEN, d.get(3).skipReason());

        PodPlan untouched = GuardReviser.apply(
                plan,
                c.stream()
                        .map(x -> new Verdict(x, Verdict.Decision.REWRITE, Verdict.Basis.CACHE_SERVABLE))
                        .toList());
        assertSame(plan, untouched, "nothing withdrawn: the plan as it was, no copy");
    }

    @Test
    void aVerdictCountThatDoesNotMatchIsAnInternalFailure() throws Exception {
        PodPlan plan = plan("nginx:1.25", "redis:7");
        Candidate c = GuardReviser.candidates(plan).get(0);
        assertThrows(
                IllegalStateException.class,
                () -> GuardReviser.apply(
                        plan, List.of(new Verdict(c, Verdict.Decision.LEAVE, Verdict.Basis.UNKNOWN_TIMEOUT))));
    }
}
